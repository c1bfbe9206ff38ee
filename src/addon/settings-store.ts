import * as z from "zod/mini";
import {
  BLANK_IS_A_CHOICE,
  mergeRawSettings,
  SETTING_KEYS,
  validateSettings,
  type RawSettings,
  type SettingErrors,
  type Settings,
  type SettingKey,
} from "../core/settings";

declare const __URL_FETCH_ALLOWLIST__: readonly string[];
/**
 * The manifest's urlFetchWhitelist as it was when this bundle was built (build.mjs writes it in):
 * the URLs Google lets this deployment fetch.
 */
export const URL_FETCH_ALLOWLIST: readonly string[] = __URL_FETCH_ALLOWLIST__;

const rawSettingsSchema = z.record(z.string(), z.string());

function pickSettingKeys(props: GoogleAppsScript.Properties.Properties | null): RawSettings {
  if (!props) return {};
  const all = rawSettingsSchema.parse(props.getProperties());
  const picked: RawSettings = {};
  for (const key of SETTING_KEYS) if (all[key] !== undefined) picked[key] = all[key];
  return picked;
}

/** User properties can be out of reach (a custom function runs without the user's authorisation). */
function userProperties(): GoogleAppsScript.Properties.Properties | null {
  try {
    return PropertiesService.getUserProperties();
  } catch {
    return null;
  }
}

function scriptProperties(): GoogleAppsScript.Properties.Properties | null {
  try {
    return PropertiesService.getScriptProperties();
  } catch {
    return null;
  }
}

export interface SettingLayers {
  /** The user's own values (user properties). */
  user: RawSettings;
  /** The deployer's values (script properties), defaults for everyone. */
  script: RawSettings;
}

/** The two stores, kept apart so a form's changes can be merged the way saved values are. */
export function readSettingLayers(): SettingLayers {
  return { user: pickSettingKeys(userProperties()), script: pickSettingKeys(scriptProperties()) };
}

/** The user's settings over the deployment-wide defaults, as raw strings. */
export function readRawSettings(): Record<SettingKey, string> {
  const { user, script } = readSettingLayers();
  return mergeRawSettings(user, script);
}

/** Parses merged settings against the URLs this deployment may fetch. */
export function validateRawSettings(raw: Record<SettingKey, string>): { settings: Settings | null; errors: SettingErrors } {
  return validateSettings(raw, URL_FETCH_ALLOWLIST);
}

export function loadSettings(): { settings: Settings | null; errors: SettingErrors } {
  return validateRawSettings(readRawSettings());
}

/** Saves the given keys to the user's properties; a blank value removes the user's own value. */
export function saveUserSettings(values: RawSettings): void {
  const props = PropertiesService.getUserProperties();
  const toSet: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    const value = values[key];
    if (value === undefined) continue;
    if (value.trim() === "" && !BLANK_IS_A_CHOICE.includes(key)) props.deleteProperty(key);
    else toSet[key] = value.trim();
  }
  if (Object.keys(toSet).length > 0) props.setProperties(toSet);
}
