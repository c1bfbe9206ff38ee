// A labelled list: companies with the use-case class a person expects, read from a CSV a rep can
// keep in Sheets. Only the company and its expected class are required; the rest documents the label.
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { domainFromName, normaliseDomain, coreNameTokens } from "../../core/names";
import { USE_CASE_CLASSES, type UseCaseClass } from "../../core/reply";
import { findWebsiteColumn } from "../../core/run/sheet-layout";
import { PROFILES, TIERS, type Profile, type Tier } from "../../core/types";
import { CsvError, decodeCsvBytes, parseCsv } from "../demo/csv";
import { findCompanyColumn, foldHeader } from "../demo/sheet";

/** A problem the user fixes in their list or command line; the message says what to do. */
export class EvalError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface LabelRow {
  /** Line of the CSV (1-based, the header is line 1), for messages. */
  line: number;
  company: string;
  /** The Website cell as written ("" when none). */
  website: string;
  /** The domain the add-on searches with: the Website cell's host, or the company cell's own host. */
  domain: string | null;
  expectedClass: UseCaseClass;
  /** The tier the labeller expects, when they gave one. */
  expectedTier: Tier | null;
  reason: string;
  source: string;
  tags: string[];
}

export interface LabelList {
  /** The list's name in reports: its file name without the extension. */
  name: string;
  path: string;
  profile: Profile;
  rows: LabelRow[];
}

/** The classes a profile's judgments use: managed-inference has no E. */
export function profileClasses(profile: Profile): readonly UseCaseClass[] {
  return profile === "managed-inference" ? USE_CASE_CLASSES.filter((c) => c !== "E") : USE_CASE_CLASSES;
}

/** A list named after a profile ("gpu-infrastructure.csv") is for that profile. */
export function profileOfFile(path: string): Profile | null {
  const stem = basename(path, extname(path)).toLowerCase();
  return PROFILES.find((p) => stem === p || stem.startsWith(`${p}.`) || stem.startsWith(`${p}-`)) ?? null;
}

/** The domain the add-on searches a row with: the Website cell's host, or the company cell's own host. */
export function rowDomain(company: string, website: string): string | null {
  return normaliseDomain(website) ?? domainFromName(company);
}

/** Identifies a row the way the add-on's cache key does: folded name plus the domain searched. */
export function rowKey(company: string, domain: string | null): string {
  return `${coreNameTokens(company).join("")}|${domain ?? ""}`;
}

const COLUMNS = {
  expectedClass: ["expected_class", "expected class", "class"],
  expectedTier: ["expected_tier", "expected tier"],
  reason: ["reason"],
  source: ["source", "source_url", "source url"],
  tags: ["tags"],
} as const;

function columnOf(header: readonly string[], names: readonly string[]): number {
  const wanted = names.map(foldHeader);
  return header.findIndex((h) => wanted.includes(foldHeader(h)));
}

export function parseLabelList(text: string, path: string, profile: Profile): LabelList {
  const shown = basename(path);
  let rows: string[][];
  try {
    rows = parseCsv(text).rows;
  } catch (error) {
    if (error instanceof CsvError) throw new EvalError(`${shown} is not a readable CSV: ${error.message}. Export it again as CSV (UTF-8).`);
    throw error;
  }
  const header = rows[0] ?? [];
  const company = findCompanyColumn(header);
  const website = (findWebsiteColumn(header) ?? 0) - 1;
  const at = {
    expectedClass: columnOf(header, COLUMNS.expectedClass),
    expectedTier: columnOf(header, COLUMNS.expectedTier),
    reason: columnOf(header, COLUMNS.reason),
    source: columnOf(header, COLUMNS.source),
    tags: columnOf(header, COLUMNS.tags),
  };
  if (!company.byHeader || at.expectedClass < 0) {
    throw new EvalError(
      `${shown} needs a header row with a Company column and an expected_class column (website, expected_tier, reason, source and tags are optional).`,
    );
  }
  const classes = profileClasses(profile);
  const seen = new Map<string, number>();
  const labelled: LabelRow[] = [];
  rows.slice(1).forEach((cells, i) => {
    const line = i + 2;
    const cell = (index: number) => (index < 0 ? "" : (cells[index] ?? "").trim());
    const name = cell(company.index);
    if (name === "") return;
    const expected = cell(at.expectedClass).toUpperCase();
    if (!(classes as readonly string[]).includes(expected)) {
      throw new EvalError(
        `${shown} line ${line}: expected_class "${cell(at.expectedClass)}" is not one of ${classes.join(", ")} (profile ${profile}).`,
      );
    }
    const tier = cell(at.expectedTier).toUpperCase();
    if (tier !== "" && !(TIERS as readonly string[]).includes(tier)) {
      throw new EvalError(`${shown} line ${line}: expected_tier "${cell(at.expectedTier)}" is not one of ${TIERS.join(", ")} (or blank).`);
    }
    const site = cell(website);
    const domain = rowDomain(name, site);
    if (site !== "" && normaliseDomain(site) === null)
      throw new EvalError(`${shown} line ${line}: website "${site}" is not a domain or URL.`);
    const key = rowKey(name, domain);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new EvalError(
        `${shown} line ${line}: ${name}${domain ? ` (${domain})` : ""} is already on line ${earlier}; the add-on researches it once. Give a namesake its website.`,
      );
    }
    seen.set(key, line);
    labelled.push({
      line,
      company: name,
      website: site,
      domain,
      expectedClass: expected as UseCaseClass,
      expectedTier: tier === "" ? null : (tier as Tier),
      reason: cell(at.reason),
      source: cell(at.source),
      tags: cell(at.tags)
        .split(/[;,]/)
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== ""),
    });
  });
  if (labelled.length === 0) throw new EvalError(`${shown} has no companies below its header.`);
  return { name: basename(path, extname(path)), path, profile, rows: labelled };
}

export function readLabelList(path: string, shown: string, profile: Profile): LabelList {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "error";
    throw new EvalError(
      code === "ENOENT"
        ? `${shown} does not exist. Pass a labelled CSV: npm run eval -- --list path/to/list.csv`
        : `${shown} cannot be read (${code}).`,
    );
  }
  return parseLabelList(decodeCsvBytes(bytes), shown, profile);
}
