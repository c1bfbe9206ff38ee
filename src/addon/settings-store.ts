import { z } from "zod";
import { mergeRawSettings, SETTING_KEYS, validateSettings, type RawSettings, type SettingErrors, type Settings, type SettingKey } from "../core/settings";

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

/** The user's settings over the deployment-wide defaults (SPEC §9), as raw strings. */
export function readRawSettings(): Record<SettingKey, string> {
  return mergeRawSettings(pickSettingKeys(userProperties()), pickSettingKeys(scriptProperties()));
}

export function loadSettings(): { settings: Settings | null; errors: SettingErrors } {
  return validateSettings(readRawSettings());
}

/** Saves the given keys to the user's properties; a blank value removes the user's own value. */
export function saveUserSettings(values: RawSettings): void {
  const props = PropertiesService.getUserProperties();
  const toSet: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    const value = values[key];
    if (value === undefined) continue;
    if (value.trim() === "") props.deleteProperty(key);
    else toSet[key] = value.trim();
  }
  if (Object.keys(toSet).length > 0) props.setProperties(toSet);
}
