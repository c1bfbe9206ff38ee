// The demo's settings come from the environment, not from a Settings page: the keys (a live run),
// the LLM endpoint, and the run's money limits. Each is checked with the add-on's own validator, so
// a value the add-on would refuse stops the demo before anything starts, with what to fix.
import { DEFAULT_LLM_BASE_URL, SETTING_FIELDS } from "../../core/settings";
import { DemoError } from "./errors";
import { tavilyRedirect, type Redirect } from "./live";

export type Env = Record<string, string | undefined>;

function refused(key: string, issue: { message: string } | undefined, raw: string): DemoError {
  return new DemoError(`${key} ${issue?.message ?? "is not valid"} (got "${raw}"). Fix it in your environment and run again.`, 2);
}

export interface LiveSettings {
  tavilyKey: string;
  llmKey: string;
  /** Only the settings the environment gives; the add-on's defaults apply to the rest. */
  properties: Record<string, string>;
  /** Where to send requests instead of the providers (tests against local servers). */
  redirects: Redirect[];
  llmHost: string;
  llmBase: string;
  describe: string;
}

function envSetting(env: Env, key: "LLM_BASE_URL" | "LLM_MODEL" | "PROFILE"): string | null {
  const raw = env[key]?.trim();
  if (!raw) return null;
  const parsed = SETTING_FIELDS[key].safeParse(raw);
  if (!parsed.success) throw refused(key, parsed.error.issues[0], raw);
  return parsed.data;
}

/** Live mode when both keys are in the environment; null for the offline replay. */
export function liveSettings(env: Env): LiveSettings | null {
  const tavilyKey = env.TAVILY_API_KEY?.trim() ?? "";
  const llmKey = env.LLM_API_KEY?.trim() ?? "";
  if (tavilyKey === "" || llmKey === "") return null;
  const properties: Record<string, string> = {};
  const baseUrl = envSetting(env, "LLM_BASE_URL");
  const model = envSetting(env, "LLM_MODEL");
  const profile = envSetting(env, "PROFILE");
  if (baseUrl) properties.LLM_BASE_URL = baseUrl;
  if (model) properties.LLM_MODEL = model;
  if (profile) properties.PROFILE = profile;
  const tavilyServer = serverUrl(env, "TAVILY_BASE_URL");
  const llmServer = serverUrl(env, "LLM_SERVER_URL");
  const llmBase = baseUrl ?? DEFAULT_LLM_BASE_URL;
  const redirects = [...(tavilyServer ? [tavilyRedirect(tavilyServer)] : []), ...(llmServer ? [{ from: llmBase, to: llmServer }] : [])];
  const describe = `Live run: calling Tavily (${tavilyServer ?? "https://api.tavily.com"}) and the LLM at ${llmServer ?? llmBase}${model ? ` (model ${model})` : ""}${
    profile ? `, profile ${profile}` : ""
  }.`;
  return { tavilyKey, llmKey, properties, redirects, llmHost: new URL(llmBase).host, llmBase, describe };
}

/**
 * A server to send one provider's requests to instead (tests against local fake servers). Not an
 * add-on setting, so any http(s) URL will do.
 */
function serverUrl(env: Env, key: "TAVILY_BASE_URL" | "LLM_SERVER_URL"): string | null {
  const raw = env[key]?.trim();
  if (!raw) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new DemoError(`${key} must be an http or https URL (got "${raw}"). Fix it in your environment and run again.`, 2);
  }
  return raw;
}

export interface MoneyLimits {
  /** JOB_BUDGET_USD as the add-on stores it ("" for no budget), or null when the environment does not set it. */
  budget: string | null;
  /** CONFIRM_ABOVE_USD likewise ("" for never ask), or null when the environment does not set it. */
  confirmAbove: string | null;
}

/**
 * JOB_BUDGET_USD and CONFIRM_ABOVE_USD from the environment. Set but blank is the add-on's blank: no
 * budget, never ask; unset leaves the choice to the demo.
 */
export function moneyLimits(env: Env): MoneyLimits {
  const read = (key: "JOB_BUDGET_USD" | "CONFIRM_ABOVE_USD"): string | null => {
    const raw = env[key];
    if (raw === undefined) return null;
    const parsed = SETTING_FIELDS[key].safeParse(raw);
    if (!parsed.success) throw refused(key, parsed.error.issues[0], raw);
    return parsed.data === null ? "" : String(parsed.data);
  };
  return { budget: read("JOB_BUDGET_USD"), confirmAbove: read("CONFIRM_ABOVE_USD") };
}
