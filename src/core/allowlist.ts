// Which URLs Google lets the add-on fetch: the manifest's urlFetchWhitelist, matched the way Google
// documents it (https://developers.google.com/apps-script/manifest/allowlist-url):
// - a prefix is an https URL with a full domain and a non-empty path ("https://api.example.com/");
// - a leading "*." in the host matches any subdomain (not the bare domain);
// - host names compare without regard to case, paths with regard to case;
// - a URL matches when it is the prefix or a child of it: "https://example.com/foo" matches /foo,
//   /foo/, /foo/bar, /foo?bar and /foo#bar, and not /foobar.
// Apps Script has no URL class, so URLs are taken apart by hand.
import { TAVILY_SEARCH_URL } from "./search";
import { MASK } from "./secrets";

interface UrlParts {
  scheme: string;
  userinfo: string | null;
  /** Lower case; IPv6 literals keep their brackets. */
  host: string;
  /** "" when absent or the default 443 of https. */
  port: string;
  /** "/" when empty. */
  path: string;
  /** Query and fragment, with their leading "?" or "#". */
  rest: string;
}

function parseUrl(text: string): UrlParts | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\\]*)([^?#]*)(.*)$/is.exec(text);
  if (!match) return null;
  const [, scheme = "", authority = "", path = "", rest = ""] = match;
  const at = authority.lastIndexOf("@");
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!hp) return null;
  const port = hp[2] ?? "";
  return {
    scheme: scheme.toLowerCase(),
    userinfo,
    host: (hp[1] ?? "").toLowerCase().replace(/\.$/, ""),
    port: port === "443" ? "" : port,
    path: path === "" ? "/" : path,
    rest,
  };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

function pathMatches(prefix: string, path: string): boolean {
  if (path === prefix) return true;
  return prefix.endsWith("/") ? path.startsWith(prefix) : path.startsWith(prefix + "/");
}

/** Whether Google would let the script fetch `url` under these urlFetchWhitelist prefixes. */
export function urlAllowed(url: string, prefixes: readonly string[]): boolean {
  const target = parseUrl(url.trim());
  if (!target || target.scheme !== "https" || target.userinfo !== null) return false;
  return prefixes.some((raw) => {
    const prefix = parseUrl(raw.trim());
    if (!prefix || prefix.scheme !== "https" || prefix.userinfo !== null) return false;
    return hostMatches(prefix.host, target.host) && prefix.port === target.port && pathMatches(prefix.path, target.path);
  });
}

/** Why a manifest prefix breaks Google's rules for one, or null when it is valid. */
export function prefixProblem(prefix: string): string | null {
  const parts = parseUrl(prefix);
  if (!parts || parts.scheme !== "https") return "must start with https://";
  if (parts.userinfo !== null || parts.rest !== "") return "must not contain a user name, password, query or fragment";
  if (!/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(parts.host)) return "must name a full domain";
  if (!/^https:\/\/[^/]+\//i.test(prefix)) return "must have a path (at least a trailing /)";
  return null;
}

/** A path of RFC 3986's characters, each % starting an escape. */
const WELL_FORMED_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const IP_LITERAL = /^(\[.*\]|(0x[0-9a-f]+|\d+)(\.(0x[0-9a-f]*|\d+))*)$/i;
const LOCAL_HOST = /(^|\.)(localhost|local|internal|localdomain)$/;

/** Why an LLM base URL cannot be used as one, whatever the allowlist says; null when its form is fine. */
export function baseUrlFormProblem(url: string): string | null {
  // Spaces would let one setting hold two addresses ("https://api.crusoe.ai/v1 https://evil.example").
  if (/[\s\p{Cc}\p{Cf}]/u.test(url.trim())) return "must be one URL, with no spaces or line breaks";
  const parts = parseUrl(url.trim());
  if (!parts) return "must be a URL such as https://api.example.com/v1";
  if (!WELL_FORMED_PATH.test(parts.path) || parts.path.replace(/\/+$/, "").includes("//"))
    return "must be one well-formed URL such as https://api.example.com/v1";
  if (parts.scheme !== "https") return "must start with https:// (over http the API key would travel in clear)";
  if (parts.userinfo !== null) return "must not contain a user name or password";
  if (parts.rest !== "") return "must not contain ? or #";
  if (parts.host === "" || !/^[a-z0-9.[\]:-]+$/.test(parts.host)) return "must name a host";
  if (IP_LITERAL.test(parts.host)) return "must name a host, not an IP address";
  if (LOCAL_HOST.test(parts.host) || !parts.host.includes(".")) return "must name a public host, not localhost or a local name";
  return null;
}

/**
 * The URL as a page may show it: a user name or password in it (a deployer may have typed one into
 * a script property) replaced by the mask, whatever else is wrong with it.
 */
export function maskUrlCredentials(url: string): string {
  const authority = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\\]*)@/is.exec(url);
  return authority ? `${authority[1] ?? ""}${MASK}@${url.slice(authority[0].length)}` : url;
}

/** The base URL as requests are built from it: trimmed, without trailing slashes. */
export function normaliseBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

/** Same endpoint: scheme and host compare without regard to case, trailing slashes ignored. */
export function sameBaseUrl(a: string, b: string): boolean {
  const pa = parseUrl(normaliseBaseUrl(a));
  const pb = parseUrl(normaliseBaseUrl(b));
  if (!pa || !pb) return normaliseBaseUrl(a) === normaliseBaseUrl(b);
  return (
    pa.scheme === pb.scheme &&
    pa.userinfo === pb.userinfo &&
    pa.host === pb.host &&
    pa.port === pb.port &&
    pa.path.replace(/\/+$/, "") === pb.path.replace(/\/+$/, "") &&
    pa.rest === pb.rest
  );
}

/** The urlFetchWhitelist prefix that admits an LLM base URL and nothing else of its host. */
export function prefixForBaseUrl(url: string): string {
  return normaliseBaseUrl(url) + "/";
}

/** The prefixes that concern an LLM (Tavily's is not one a user could choose). */
function llmPrefixes(prefixes: readonly string[]): string[] {
  return prefixes.filter((p) => !urlAllowed(TAVILY_SEARCH_URL, [p]));
}

/**
 * Why the add-on cannot use this LLM base URL, in words for the settings form (after "LLM base URL"),
 * or null when it can: its form, then whether Google would let both of its endpoints be fetched.
 */
export function baseUrlProblem(url: string, prefixes: readonly string[]): string | null {
  const form = baseUrlFormProblem(url);
  if (form) return form;
  const base = normaliseBaseUrl(url);
  if (urlAllowed(`${base}/chat/completions`, prefixes) && urlAllowed(`${base}/models`, prefixes)) return null;
  const allowed = llmPrefixes(prefixes);
  return (
    `is not allowed by this deployment: Google only lets the add-on reach URLs under its manifest's urlFetchWhitelist (${allowed.join(", ")}). ` +
    "To add a provider, add its URL prefix to urlFetchWhitelist in appsscript.json and run npm run push (or run npm run push with LLM_BASE_URL set to the provider's base URL)."
  );
}
