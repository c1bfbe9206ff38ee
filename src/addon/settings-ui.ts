// Server side of the Settings page: what the page reads, saves and tests.
// API keys never leave the server in full: the view carries them masked to the last 4 characters,
// and in a form a blank or masked key field means "keep the saved key".
import * as z from "zod/mini";
import {
  buildModelsRequest,
  buildTavilyTestRequest,
  ConnectionProblem,
  describeConnectionTest,
  parseModelsResponse,
  PLAIN_NAMES,
} from "../core/connection";
import {
  apiKeys,
  apiKeySecrets,
  BLANK_IS_A_CHOICE,
  maskSecret,
  mergeRawSettings,
  withheldDeployerKeyUrl,
  SETTING_DEFAULTS,
  SETTING_KEYS,
  type RawSettings,
  type SettingKey,
  type Settings,
} from "../core/settings";
import type { ConnectionTestResult, ModelsResult, SaveSettingsResult, SettingsView } from "../core/wire";
import { SECRET_KEYS, type SecretKey } from "../core/setting-keys";
import { maskSecrets } from "../core/secrets";
import { maskUrlCredentials } from "../core/allowlist";
import type { Service } from "../core/types";
import { fetchOne } from "./http";
import { readRawSettings, readSettingLayers, saveUserSettings, validateRawSettings, type SettingLayers } from "./settings-store";

/** The mask character of maskSecret: a real key never contains it, so a field holding it is unchanged. */
const MASK_CHAR = "•";

// Values are bounded so a pasted novel cannot reach a property (Apps Script allows 9 KB per value).
const formSchema = z.record(z.string(), z.string().check(z.maxLength(4000, "is too long")));
const serviceSchema = z.enum(["tavily", "llm"]);

/** The fields each test depends on; errors elsewhere in the form must not block a test. */
const SERVICE_FIELDS: Record<Service, readonly SettingKey[]> = {
  tavily: ["TAVILY_API_KEY"],
  llm: ["LLM_API_KEY", "LLM_BASE_URL"],
};
const FIELD_LABEL: Partial<Record<SettingKey, string>> = {
  TAVILY_API_KEY: "Web search key",
  LLM_API_KEY: "AI key",
  LLM_BASE_URL: "AI provider address",
};

function isSecret(key: SettingKey): key is SecretKey {
  return (SECRET_KEYS as readonly SettingKey[]).includes(key);
}

function viewOf(raw: Record<SettingKey, string>): SettingsView {
  const values = { ...raw };
  const defaults = { ...SETTING_DEFAULTS };
  const keysSet = {} as Record<SecretKey, boolean>;
  // A password in the address is as secret as a key: the page never receives it.
  values.LLM_BASE_URL = maskUrlCredentials(raw.LLM_BASE_URL);
  for (const key of SECRET_KEYS) {
    values[key] = maskSecret(raw[key].trim());
    defaults[key] = "";
    keysSet[key] = raw[key].trim() !== "";
  }
  return {
    values,
    keysSet,
    defaults,
    errors: validateRawSettings(raw).errors,
  };
}

export function getSettingsView(): SettingsView {
  return viewOf(readRawSettings());
}

/**
 * The settings a form asks for, over the stored ones. `changes` holds only what differs, so saving
 * does not copy deployment-wide defaults into the user's properties; a blank field becomes "" in
 * `changes`, which removes the user's own value. `merged` is what saving would give, resolved like
 * saved settings: the deployer's key never follows a base URL typed into the form.
 */
function applyForm(layers: SettingLayers, form: Record<string, string>): { merged: Record<SettingKey, string>; changes: RawSettings } {
  const current = mergeRawSettings(layers.user, layers.script);
  const changes: RawSettings = {};
  for (const key of SETTING_KEYS) {
    const value = form[key];
    if (value === undefined) continue;
    const trimmed = value.trim();
    // A masked value is the page showing what is saved: unchanged.
    if (trimmed.includes(MASK_CHAR) && (isSecret(key) || key === "LLM_BASE_URL")) continue;
    if (isSecret(key)) {
      if (trimmed === "") continue;
    } else if (trimmed === "" && !BLANK_IS_A_CHOICE.includes(key)) {
      if (current[key] !== SETTING_DEFAULTS[key]) changes[key] = "";
      continue;
    }
    if (trimmed !== current[key]) changes[key] = trimmed;
  }
  return { merged: mergeRawSettings({ ...layers.user, ...changes }, layers.script), changes };
}

function formIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")} ` : "";
  return `The form could not be read: ${where}${issue?.message ?? "unexpected content"}.`;
}

export function saveSettings(form: unknown): SaveSettingsResult {
  const layers = readSettingLayers();
  const current = mergeRawSettings(layers.user, layers.script);
  const parsed = formSchema.safeParse(form);
  if (!parsed.success) return { ok: false, errors: {}, message: formIssue(parsed.error), view: viewOf(current) };
  const { merged, changes } = applyForm(layers, parsed.data);
  const { errors } = validateRawSettings(merged);
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors, message: "Nothing was saved: fix the marked fields.", view: viewOf(current) };
  }
  saveUserSettings(changes);
  return { ok: true, errors: {}, message: "Settings saved.", view: getSettingsView() };
}

/** Settings to test with: the form over the saved settings, or the saved settings alone. */
function settingsForTest(service: Service, form: unknown): { settings: Settings } | { message: string } {
  const layers = readSettingLayers();
  let merged = mergeRawSettings(layers.user, layers.script);
  if (form !== undefined && form !== null) {
    const parsed = formSchema.safeParse(form);
    if (!parsed.success) return { message: formIssue(parsed.error) };
    merged = applyForm(layers, parsed.data).merged;
  }
  const first = validateRawSettings(merged);
  if (first.settings) return { settings: first.settings };
  for (const key of SERVICE_FIELDS[service]) {
    const error = first.errors[key];
    if (error) return { message: `${FIELD_LABEL[key] ?? key} ${error}.` };
  }
  // Only fields this test does not use are wrong: test with built-in values in their place.
  const patched = { ...merged };
  for (const key of SETTING_KEYS) if (first.errors[key]) patched[key] = SETTING_DEFAULTS[key];
  const second = validateRawSettings(patched);
  return second.settings ? { settings: second.settings } : { message: "The settings could not be read; save them and try again." };
}

/** Belt and braces: whatever a provider or the network echoes back, a key never reaches the page. */
function scrub(message: string, settings: Settings): string {
  return maskSecrets(message, apiKeySecrets(settings));
}

function missingKeyMessage(service: Service): string {
  const withheld = service === "llm" ? withheldDeployerKeyUrl(readSettingLayers()) : null;
  if (withheld)
    return `This deployment's shared AI key is only sent to its own provider (${withheld}): paste your own AI key above to use another provider.`;
  return `No ${PLAIN_NAMES[service]} key yet: paste one in the field above.`;
}

export function testConnection(service: unknown, form?: unknown): ConnectionTestResult {
  const which = serviceSchema.safeParse(service);
  if (!which.success) return { ok: false, message: "Unknown service to test." };
  const resolved = settingsForTest(which.data, form);
  if ("message" in resolved) return { ok: false, message: resolved.message };
  const { settings } = resolved;
  if (!apiKeys(settings)[which.data]) return { ok: false, message: missingKeyMessage(which.data) };

  const secrets = apiKeySecrets(settings);
  // fetchOne turns a network failure into status 0, which the verdict words as "Could not reach".
  const response = fetchOne(which.data === "tavily" ? buildTavilyTestRequest() : buildModelsRequest(settings), apiKeys(settings));
  const verdict = describeConnectionTest(which.data, response, secrets);
  let { message } = verdict;
  // The LLM test is GET /models anyway: say so when the chosen model is not offered.
  if (verdict.ok && which.data === "llm") {
    try {
      const models = parseModelsResponse(response, secrets);
      if (models.length > 0 && !models.includes(settings.llmModel)) {
        message += ` Note: the model "${settings.llmModel}" is not in this provider's list.`;
      }
    } catch {
      // The verdict already says the key works; a list we cannot read is not worth a warning here.
    }
  }
  return { ok: verdict.ok, message: scrub(message, settings), detail: scrub(verdict.detail, settings) };
}

export function listModels(form?: unknown): ModelsResult {
  const resolved = settingsForTest("llm", form);
  if ("message" in resolved) return { ok: false, models: [], message: resolved.message };
  const { settings } = resolved;
  if (!settings.llmApiKey) return { ok: false, models: [], message: missingKeyMessage("llm") };
  try {
    const models = parseModelsResponse(fetchOne(buildModelsRequest(settings), apiKeys(settings)), apiKeySecrets(settings));
    const message = models.length === 0 ? "The provider lists no models: type the model name." : `${models.length} models available.`;
    return { ok: models.length > 0, models, message };
  } catch (error) {
    const text = error instanceof Error ? error.message : "The model list could not be read.";
    const detail = error instanceof ConnectionProblem ? error.detail : "";
    return { ok: false, models: [], message: scrub(text, settings), detail: scrub(detail, settings) };
  }
}

/** Removes the user's own saved key (a deployment-wide key, if any, applies again). */
export function removeKey(key: SecretKey): SaveSettingsResult {
  saveUserSettings({ [key]: "" });
  return { ok: true, errors: {}, message: "Key removed.", view: getSettingsView() };
}
