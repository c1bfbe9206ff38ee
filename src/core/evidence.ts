// Search results -> evidence: keep what mentions the company, rank it, cut it to a character budget.
// The formatted block is what the prompt carries, so the budget is measured on it.
import type { EvidenceItem } from "./types";
import { coreNameTokens, foldText, normaliseDomain } from "./names";
import type { SearchResult } from "./search";

/** How one company is recognised in page text. */
export interface MentionMatcher {
  /** Tokens of the name joined by at most a little punctuation: "Read AI", "Read-AI", "ReadAI", "read.ai". */
  name: RegExp | null;
  /** The domain as a whole word ("read.ai" but not "spread.ai"). */
  domainPattern: RegExp | null;
  domain: string | null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function mentionMatcher(company: string, domain: string | null): MentionMatcher {
  const tokens = coreNameTokens(company);
  const body = tokens.map(escapeRegExp).join("[^\\p{L}\\p{N}]{0,3}");
  return {
    // An optional "s" after the name: folding drops apostrophes, so "Read AI's" arrives as "read ais".
    name: tokens.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])${body}s?(?![\\p{L}\\p{N}])`, "giu") : null,
    domainPattern: domain ? new RegExp(`(?<![\\p{L}\\p{N}.-])${escapeRegExp(domain)}(?![\\p{L}\\p{N}-])`, "iu") : null,
    domain,
  };
}

function countMatches(re: RegExp, text: string, max: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < max && re.exec(text)) n++;
  return n;
}

function onDomain(url: string, domain: string): boolean {
  const host = normaliseDomain(url);
  return host !== null && (host === domain || host.endsWith(`.${domain}`));
}

/** Does this text (folded the same way as the name) mention the company? */
export function mentions(m: MentionMatcher, text: string): boolean {
  const folded = foldText(text);
  if (m.domainPattern?.test(folded)) return true;
  return m.name !== null && countMatches(m.name, folded, 1) > 0;
}

/**
 * Only web pages are evidence and sources: the text is one http(s) URL and nothing else. Whitespace,
 * control or invisible formatting characters (a line break before "javascript:", a bidi override
 * that shows a URL backwards) make it something else, and javascript:, data:, file: never pass.
 */
export function isWebUrl(url: string): boolean {
  return /^https?:\/\/[^\s/?#\p{Cc}\p{Cf}]+[^\s\p{Cc}\p{Cf}]*$/iu.test(url);
}

/** Collapses whitespace and removes anything that could close the data fence of the prompt. */
export function cleanWebText(text: string): string {
  return text
    .replace(/<\/?\s*untrusted[\s_-]*web[\s_-]*data[^>]*>?/gi, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const WINDOW_CHARS = 300;
const MAX_WINDOWS = 3;

/** Passages of a raw page around the company's name, for results whose snippet misses it. */
function mentionWindows(m: MentionMatcher, raw: string): string[] {
  if (!m.name) return [];
  const folded = foldText(raw);
  const windows: string[] = [];
  let coveredTo = -1;
  m.name.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (windows.length < MAX_WINDOWS && (match = m.name.exec(folded))) {
    if (match.index < coveredTo) continue;
    const start = Math.max(0, match.index - WINDOW_CHARS);
    coveredTo = Math.min(folded.length, match.index + match[0].length + WINDOW_CHARS);
    windows.push(cleanWebText(folded.slice(start, coveredTo)));
  }
  return windows;
}

interface Candidate extends EvidenceItem {
  rank: number;
}

/**
 * The results that mention the company by name or domain (in title, URL, snippet or raw page),
 * best first: the company's own site, then name in the title, then how often the name occurs,
 * then Tavily's own score.
 */
export function selectEvidence(results: SearchResult[], m: MentionMatcher): EvidenceItem[] {
  const seen = new Set<string>();
  const kept: Candidate[] = [];
  for (const r of results) {
    // The URL goes into the prompt beside the page text, so it is cleaned the same way.
    // The URL goes into the prompt beside the page text: one that would need cleaning is no page's address.
    const url = r.url.trim();
    if (seen.has(url) || url.length > 500 || !isWebUrl(url) || cleanWebText(url) !== url) continue;
    seen.add(url);
    const own = m.domain !== null && onDomain(url, m.domain);
    const snippetHit = mentions(m, `${r.title}\n${url}\n${r.content}`);
    const windows = !snippetHit && r.rawContent ? mentionWindows(m, r.rawContent) : [];
    const rawHit =
      windows.length > 0 || (r.rawContent !== null && m.domainPattern !== null && m.domainPattern.test(foldText(r.rawContent)));
    if (!own && !snippetHit && !rawHit) continue;
    const content = cleanWebText([r.content, ...windows].join(" … "));
    const titleHit = mentions(m, r.title);
    const count = m.name ? countMatches(m.name, foldText(content), 5) : 0;
    kept.push({
      url,
      title: cleanWebText(r.title).slice(0, 200),
      content,
      rank: (own ? 2 : 0) + (titleHit ? 1 : 0) + count * 0.1 + Math.max(0, Math.min(1, r.score)),
    });
  }
  kept.sort((a, b) => b.rank - a.rank);
  return kept.map(({ url, title, content }) => ({ url, title, content }));
}

/**
 * One evidence item as the prompt shows it: the URL alone on its own line, the page text on one
 * line. Every part is cleaned again here, so evidence from an older cache entry cannot close the
 * fence either.
 */
export function formatEvidenceItem(item: EvidenceItem, index: number): string {
  return `[${index + 1}]\nURL: ${cleanWebText(item.url)}\nTitle: ${cleanWebText(item.title)}\nText: ${cleanWebText(item.content)}\n\n`;
}

export function formatEvidence(items: EvidenceItem[]): string {
  return items.map(formatEvidenceItem).join("");
}

/** Below this many characters of text an item is not worth its URL and title. */
const MIN_ITEM_TEXT = 200;

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(" ");
  return (space > max * 0.8 ? cut.slice(0, space) : cut) + "…";
}

/**
 * Cuts ranked evidence so that formatEvidence(result).length <= budgetChars. Items keep their
 * order; every kept item gets a fair share (short items keep all their text, long ones are cut to
 * an equal cap), and the lowest-ranked items go first when even a fair share would be too small.
 */
export function cutToBudget(items: EvidenceItem[], budgetChars: number): EvidenceItem[] {
  const frame = (item: EvidenceItem, i: number) => formatEvidenceItem({ ...item, content: "" }, i).length;
  let chosen = items.slice();
  const frames = () => chosen.reduce((sum, item, i) => sum + frame(item, i), 0);
  while (chosen.length > 0 && frames() + chosen.length * MIN_ITEM_TEXT > budgetChars) chosen.pop();
  if (chosen.length === 0) return [];
  const textBudget = budgetChars - frames();
  // Water-filling: the largest cap such that the sum of min(length, cap) fits the text budget.
  const lengths = chosen.map((item) => item.content.length).sort((a, b) => a - b);
  let cap = textBudget;
  let left = textBudget;
  for (let i = 0; i < lengths.length; i++) {
    const share = Math.floor(left / (lengths.length - i));
    const len = lengths[i] ?? 0;
    if (len > share) {
      cap = share;
      break;
    }
    left -= len;
  }
  chosen = chosen.map((item) => ({ ...item, content: truncate(item.content, cap) }));
  return chosen;
}
