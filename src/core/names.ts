// Company names and domains as the sheet gives them, folded into the forms the cache key and the
// mention filter compare. Pure string work: no URL class, which Apps Script's V8 does not have.

/** Legal forms dropped from the end of a name ("Acme Corp." and "Acme" are one company). */
const LEGAL_SUFFIXES = new Set([
  "inc",
  "incorporated",
  "ltd",
  "limited",
  "llc",
  "llp",
  "lp",
  "gmbh",
  "mbh",
  "corp",
  "corporation",
  "co",
  "company",
  "sa",
  "sas",
  "sarl",
  "srl",
  "spa",
  "ag",
  "se",
  "plc",
  "bv",
  "nv",
  "pty",
  "pte",
  "oy",
  "oyj",
  "ab",
  "asa",
  "kk",
  "kg",
  "ug",
  "lda",
  "sl",
  "holdings",
]);

/** Glued TLDs that are part of how a brand is spoken ("Character.ai" is said "Character AI"). */
const SPOKEN_TLDS = new Set(["ai"]);
/** Glued TLDs that are not ("Booking.com" is "Booking"). */
const SILENT_TLDS = new Set(["com", "io", "co", "net", "org", "app", "dev", "so", "xyz", "tech", "inc", "us", "uk", "de"]);

/**
 * Text folded for comparison: accents removed, apostrophes dropped ("Moody's" = "Moodys"),
 * "&" spoken as "and", lower case. Used on names and on page text alike, so both sides match.
 */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/['’`´]/g, "")
    .replace(/&/g, " and ")
    .toLowerCase();
}

/** Host of a URL or Website cell ("https://www.Read.ai/about" -> "read.ai"), or null when it is not one. */
export function normaliseDomain(cell: string | null | undefined): string | null {
  if (!cell) return null;
  let s = cell.trim().toLowerCase();
  if (!s) return null;
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  const at = s.lastIndexOf("@", s.search(/[/?#]|$/));
  if (at >= 0) s = s.slice(at + 1);
  s = s.split(/[/?#\s]/)[0] ?? "";
  s = s
    .replace(/:\d+$/, "")
    .replace(/\.+$/, "")
    .replace(/^www\d*\./, "");
  if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$/.test(s)) return null;
  return s;
}

/** A company cell that is itself a URL or a bare host ("stealthium.io") names its domain. */
export function domainFromName(company: string): string | null {
  const s = company.trim();
  if (/\s/.test(s)) return null;
  return normaliseDomain(s);
}

/** Name tokens after folding, with glued TLDs and dotted abbreviations resolved, legal suffixes kept. */
function nameTokens(company: string): string[] {
  let s = foldText(company.trim());
  // A URL in the company cell: its host is the name.
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(s) || /^www\./.test(s)) s = normaliseDomain(s) ?? s;
  // "S.A." / "L.L.C." -> "sa" / "llc", so they meet the suffix list as one word.
  s = s.replace(/(?:^|(?<=[^\p{L}\p{N}]))((?:\p{L}\.){2,})/gu, (m) => m.replace(/\./g, ""));
  // "character.ai" -> "character ai"; "booking.com" -> "booking".
  s = s.replace(/([\p{L}\p{N}])\.([a-z]{2,4})(?![\p{L}\p{N}.])/gu, (m, head: string, tld: string) => {
    if (SPOKEN_TLDS.has(tld)) return `${head} ${tld}`;
    if (SILENT_TLDS.has(tld)) return head;
    return m;
  });
  return s.split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 0);
}

/** Tokens of the name without a leading "the" and trailing legal forms; never empty when the name has a letter or digit. */
export function coreNameTokens(company: string): string[] {
  const tokens = nameTokens(company);
  let end = tokens.length;
  while (end > 1 && LEGAL_SUFFIXES.has(tokens[end - 1] ?? "")) end--;
  let start = 0;
  if (end - start > 1 && tokens[0] === "the") start = 1;
  return tokens.slice(start, end);
}

/** The folded name the cache key uses: "Character.ai", "Character AI" and "character-ai, Inc." all give "character ai". */
export function normaliseCompanyName(company: string): string {
  return coreNameTokens(company).join(" ");
}
