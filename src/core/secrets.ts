// API keys never reach a cell, a log, an error, the sidebar or the cache: the one place where
// keys are masked, for display (the settings view) and inside any text (provider messages,
// anything written from a provider's answer).

export const MASK = "••••";
/** Below this length, showing the last 4 characters would show most of the key. */
const SHOW_TAIL_FROM = 8;
/** Shorter keys are masked only where they stand as a whole token, not inside every word. */
const WHOLE_TOKEN_BELOW = 4;

/** How a key is shown in the settings view: "" when unset, the last 4 characters when long enough, else only that it is set. */
export function maskSecret(secret: string): string {
  if (!secret) return "";
  return secret.length >= SHOW_TAIL_FROM ? MASK + secret.slice(-4) : `${MASK} (set)`;
}

/** What replaces a key inside a text: its last 4 characters when long enough, else nothing of it. */
function echoMask(secret: string): string {
  return secret.length >= SHOW_TAIL_FROM ? MASK + secret.slice(-4) : MASK;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The code as hex digits, each letter matching either case ("%2f" and "%2F"). */
function hex(n: number, width: number): string {
  return [...n.toString(16).padStart(width, "0")].map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join("");
}

/** One character as it may appear in an echo: literally, URL-encoded (%xx) or JSON-escaped (\uXXXX). */
function charPattern(ch: string): string {
  const code = ch.charCodeAt(0);
  const options = [escapeRegExp(ch), `\\\\u${hex(code, 4)}`];
  if (code < 0x80) options.push(`%${hex(code, 2)}`);
  return `(?:${options.join("|")})`;
}

/** Compiled patterns by key: the same few keys mask every provider answer of an execution. */
const patterns = new Map<string, RegExp>();
const MAX_PATTERNS = 64;

function secretPattern(secret: string): RegExp {
  const known = patterns.get(secret);
  if (known) return known;
  const body = [...secret].map(charPattern).join("");
  const pattern = secret.length < WHOLE_TOKEN_BELOW ? new RegExp(`(?<![A-Za-z0-9_-])${body}(?![A-Za-z0-9_-])`, "g") : new RegExp(body, "g");
  if (patterns.size >= MAX_PATTERNS) patterns.clear();
  patterns.set(secret, pattern);
  return pattern;
}

/** Shapes of keys and tokens that are masked even when they are not ours (a provider echoing someone's key). */
const TOKEN_SHAPES: readonly [RegExp, string][] = [
  [/\bBearer\s+[^\s"',;]+/gi, `Bearer ${MASK}`],
  [/\b(?:tvly|sk|pk|rk|nvapi|key)[-_][A-Za-z0-9_-]{8,}/gi, MASK],
];

/**
 * The text with every occurrence of the given keys masked (literal, URL-encoded or \u-escaped),
 * and, with tokens, anything shaped like a key (`Bearer x`, `tvly-…`, `sk-…`, long mixed
 * letters-and-digits runs). Use tokens for provider messages; not for page text or URLs, where
 * long ids are legitimate.
 */
export function maskSecrets(text: string, secrets: readonly string[], options: { tokens?: boolean } = {}): string {
  let out = text;
  for (const raw of secrets) {
    const secret = raw.trim();
    if (secret) out = out.replace(secretPattern(secret), echoMask(secret));
  }
  if (!options.tokens) return out;
  for (const [shape, replacement] of TOKEN_SHAPES) out = out.replace(shape, replacement);
  return out.replace(/[A-Za-z0-9_-]{32,}/g, (m) => (/\d/.test(m) && /[A-Za-z]/.test(m) ? MASK : m));
}

/** Whether the text holds one of the keys in any of the forms maskSecrets recognises. */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return maskSecrets(text, secrets) !== text;
}
