// The cache key of a company, built and read back here only: `profile|name|domain`, where the name
// is folded with its spaces removed ("ScaleAI" = "Scale AI") and the domain may be empty.
import { normaliseCompanyName } from "./names";
import type { Profile } from "./types";

const SEPARATOR = "|";

/** Cache key: profile, the folded name with its spaces removed, the domain when given. */
export function companyKey(profile: Profile, company: string, domain: string | null): string {
  return [profile, normaliseCompanyName(company).replace(/ /g, ""), domain ?? ""].join(SEPARATOR);
}

/**
 * The key of the same company without its domain (`companyKey(profile, name, null)`): the name a
 * lookup by name alone files every domain's entry under. The domain is the key's last part; no
 * part holds the separator (a folded name is letters and digits only).
 */
export function nameKeyOf(key: string): string {
  return key.slice(0, key.lastIndexOf(SEPARATOR) + 1);
}
