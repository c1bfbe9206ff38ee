// The Settings dialog. Keys are never in this page: the server sends them masked, the key fields
// start empty, and an empty key field means "keep the saved key". What a sales rep needs comes
// first; the rest waits under Advanced.
import { NUMBER_RULES, SECRET_KEYS, type NumberRule, type SettingKey } from "../core/setting-keys";
import type { SecretKey, SettingsView } from "../core/wire";
import { call } from "./bridge";
import { byId, el, errorText, setText, show } from "./dom";

type Section = "basics" | "research" | "cost" | "speed";
type Kind = "secret" | "text" | "number" | "dollars" | "profile" | "model";

interface FieldMeta {
  section: Section;
  kind: Kind;
  label: string;
  help: string;
}

// One entry per setting: the Record type makes a setting added to the core fail the typecheck
// until it has a place here. Numeric bounds are not written here: they come from NUMBER_RULES,
// which the validators read too.
const FIELDS: Record<SettingKey, FieldMeta> = {
  TAVILY_API_KEY: {
    section: "basics",
    kind: "secret",
    label: "Web search key (Tavily)",
    help: "From app.tavily.com: it pays for the web searches.",
  },
  LLM_API_KEY: {
    section: "basics",
    kind: "secret",
    label: "AI key",
    help: "From your AI provider (Crusoe by default): it pays for the AI that reads the search results.",
  },
  LLM_BASE_URL: {
    section: "basics",
    kind: "text",
    label: "AI provider address",
    help: "Keep the default for Crusoe. Another provider gives its own address (an OpenAI-compatible base URL).",
  },
  LLM_MODEL: {
    section: "basics",
    kind: "model",
    label: "AI model",
    help: "Chosen from your provider's list; choose “Other” to type a model name.",
  },
  PROFILE: {
    section: "basics",
    kind: "profile",
    label: "What the tiers rank",
    help: "HOT to COLD by how much a company needs GPU compute, or hosted AI models.",
  },
  CONFIRM_ABOVE_USD: {
    section: "cost",
    kind: "dollars",
    label: "Ask before runs above (USD)",
    help: "Research shows the estimate and asks first when it costs more. Blank: never ask.",
  },
  JOB_BUDGET_USD: {
    section: "cost",
    kind: "dollars",
    label: "Run budget (USD)",
    help: "The run pauses when it reaches this. Blank: no budget.",
  },
  LIVE_LOOKUPS_PER_DAY: {
    section: "cost",
    kind: "number",
    label: "Live =TERRITORY_TIER lookups per day",
    help: "Paid lookups of companies not yet researched, per spreadsheet per day, on the owner's keys. 0: none.",
  },
  TAVILY_PRICE_PER_CREDIT: {
    section: "cost",
    kind: "number",
    label: "Tavily price per credit (USD)",
    help: "An advanced search costs 2 credits.",
  },
  LLM_INPUT_PRICE_PER_MTOK: { section: "cost", kind: "number", label: "LLM input price per million tokens (USD)", help: "" },
  LLM_OUTPUT_PRICE_PER_MTOK: { section: "cost", kind: "number", label: "LLM output price per million tokens (USD)", help: "" },
  RELEVANCE_THRESHOLD: {
    section: "research",
    kind: "number",
    label: "Relevance threshold",
    help: "Evidence the model trusts less than this is searched again.",
  },
  EVIDENCE_BUDGET_CHARS: {
    section: "research",
    kind: "number",
    label: "Evidence budget (characters)",
    help: "Web text given to the model per company.",
  },
  CACHE_TTL_DAYS: {
    section: "research",
    kind: "number",
    label: "Cache lifetime (days)",
    help: "Searches younger than this are reused for free.",
  },
  NO_DATA_TTL_DAYS: {
    section: "research",
    kind: "number",
    label: "No-data memory (days)",
    help: "A company with no reliable data is not searched again for this long.",
  },
  TAVILY_CONCURRENCY: { section: "speed", kind: "number", label: "Tavily requests per wave", help: "" },
  LLM_CONCURRENCY: { section: "speed", kind: "number", label: "LLM requests per wave", help: "" },
  TAVILY_RPM: {
    section: "speed",
    kind: "number",
    label: "Tavily requests per minute",
    help: "100 for a development key, 1,000 for production.",
  },
  LLM_RPM: {
    section: "speed",
    kind: "number",
    label: "LLM requests per minute",
    help: "Crusoe: 30 without a payment method, 600 with one.",
  },
  WORKER_TIME_BUDGET_SECONDS: {
    section: "speed",
    kind: "number",
    label: "Worker time per step (seconds)",
    help: "Apps Script stops a step at 360.",
  },
};
const KEYS = Object.keys(FIELDS) as SettingKey[];

const PROFILE_OPTIONS: ReadonlyArray<[string, string]> = [
  ["gpu-infrastructure", "GPU infrastructure: who needs a lot of GPU compute"],
  ["managed-inference", "Managed inference: who could use hosted model inference"],
];
const OTHER_MODEL = "\u0000other";

function ruleOf(key: SettingKey): NumberRule | null {
  return key in NUMBER_RULES ? NUMBER_RULES[key as keyof typeof NUMBER_RULES] : null;
}

/** "1 to 200, whole number": the validator's own bounds, in words. */
function ruleText(rule: NumberRule): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `${n(rule.min)} to ${n(rule.max)}${rule.integer ? ", whole number" : ""}.`;
}

/** The help under a field: what it is for, its allowed values, and what blank falls back to. */
function helpText(key: SettingKey, fallback: string): string {
  const rule = ruleOf(key);
  const parts = [
    FIELDS[key].help,
    rule ? ruleText(rule) : "",
    fallback !== "" && FIELDS[key].kind !== "profile" ? `Default: ${fallback}.` : "",
  ];
  return parts.filter(Boolean).join(" ");
}

let view: SettingsView | null = null;

const input = (key: SettingKey) => byId<HTMLInputElement | HTMLSelectElement>(`in-${key}`);
const modelSelect = () => byId<HTMLSelectElement>("model-select");
const modelText = () => byId<HTMLInputElement>("in-LLM_MODEL");

function fieldControl(key: SettingKey, meta: FieldMeta): HTMLElement {
  if (meta.kind === "profile") {
    const select = document.createElement("select");
    for (const [value, label] of PROFILE_OPTIONS) select.append(new Option(label, value));
    return select;
  }
  const box = document.createElement("input");
  box.type = meta.kind === "secret" ? "password" : "text";
  box.spellcheck = false;
  box.autocomplete = meta.kind === "secret" ? "new-password" : "off";
  if (meta.kind === "number") box.inputMode = ruleOf(key)?.integer ? "numeric" : "decimal";
  if (meta.kind === "dollars") box.inputMode = "decimal";
  if (key === "LLM_BASE_URL") box.inputMode = "url";
  if (key === "JOB_BUDGET_USD") box.placeholder = "No budget";
  if (key === "CONFIRM_ABOVE_USD") box.placeholder = "Never ask";
  return box;
}

function buildField(key: SettingKey, meta: FieldMeta): HTMLElement {
  const control = fieldControl(key, meta);
  control.id = `in-${key}`;
  control.setAttribute("name", key);
  control.setAttribute("aria-describedby", `hint-${key} err-${key}`);
  const label = el("label", null, meta.label);
  label.setAttribute("for", control.id);
  const parts: HTMLElement[] = [label];
  if (meta.kind === "model") {
    const select = document.createElement("select");
    select.id = "model-select";
    select.setAttribute("aria-label", "Model from the provider's list");
    select.hidden = true;
    select.addEventListener("change", syncModelText);
    const load = el("button", "small", "Load models");
    load.id = "load-models";
    load.setAttribute("type", "button");
    const status = el("div", "test-result");
    status.id = "models-status";
    status.setAttribute("role", "status");
    parts.push(el("div", "model-row", select, load), control, status);
  } else if (meta.kind === "secret") {
    const service = key === "TAVILY_API_KEY" ? "tavily" : "llm";
    const test = el("button", "small", "Test connection");
    test.id = `test-${service}`;
    test.setAttribute("type", "button");
    const remove = el("button", "small", "Remove");
    remove.id = `remove-${key}`;
    remove.setAttribute("type", "button");
    remove.setAttribute("aria-label", `Remove the saved ${meta.label}`);
    remove.hidden = true;
    parts.push(el("div", "key-row", control, test, remove));
    const result = el("div", "test-result");
    result.id = `test-result-${service}`;
    result.setAttribute("role", "status");
    parts.push(result);
  } else {
    parts.push(control);
  }
  const hint = el("div", "hint", helpText(key, ""));
  hint.id = `hint-${key}`;
  const error = el("div", "field-error");
  error.id = `err-${key}`;
  parts.push(hint, error);
  const field = el("div", `field field-${meta.kind}`, ...parts);
  field.id = `field-${key}`;
  return field;
}

function buildForm(): void {
  for (const key of KEYS) byId(`section-${FIELDS[key].section}`).append(buildField(key, FIELDS[key]));
}

/** The model the form names: the list's choice, or the typed id when "Other" is chosen or there is no list. */
function modelValue(): string {
  const select = modelSelect();
  if (!select.hidden && select.value !== OTHER_MODEL) return select.value;
  return modelText().value;
}

function syncModelText(): void {
  const select = modelSelect();
  const other = select.hidden || select.value === OTHER_MODEL;
  show(modelText(), other);
  if (!other) modelText().value = select.value;
}

function showModels(models: readonly string[], current: string): void {
  const select = modelSelect();
  select.replaceChildren(...models.map((id) => new Option(id, id)), new Option("Other (type a model id)…", OTHER_MODEL));
  select.value = models.includes(current) ? current : OTHER_MODEL;
  select.hidden = models.length === 0;
  modelText().value = current;
  syncModelText();
}

function formValues(): Record<SettingKey, string> {
  const values = {} as Record<SettingKey, string>;
  for (const key of KEYS) values[key] = key === "LLM_MODEL" ? modelValue() : input(key).value;
  return values;
}

function showErrors(errors: Partial<Record<SettingKey, string>>): void {
  // A message inside the folded Advanced section would go unseen.
  if (KEYS.some((key) => errors[key] && FIELDS[key].section !== "basics")) byId<HTMLDetailsElement>("advanced").open = true;
  for (const key of KEYS) {
    const message = errors[key];
    setText(`err-${key}`, message ? `${FIELDS[key].label} ${message}.` : "");
    byId(`field-${key}`).classList.toggle("invalid", Boolean(message));
    input(key).setAttribute("aria-invalid", message ? "true" : "false");
  }
}

function isSecretKey(key: SettingKey): key is SecretKey {
  return FIELDS[key].kind === "secret";
}

function fill(next: SettingsView): void {
  view = next;
  for (const key of KEYS) {
    const meta = FIELDS[key];
    if (isSecretKey(key)) {
      const box = byId<HTMLInputElement>(`in-${key}`);
      box.value = "";
      box.placeholder = next.keysSet[key] ? `Saved key ${next.values[key]}: paste a new one to replace it` : "Paste your key";
      show(byId(`remove-${key}`), next.keysSet[key]);
      continue;
    }
    if (meta.kind === "model") {
      const select = modelSelect();
      const listed = Array.from(select.options).some((o) => o.value === next.values.LLM_MODEL);
      if (!select.hidden && listed) select.value = next.values.LLM_MODEL;
      else if (!select.hidden) select.value = OTHER_MODEL;
      modelText().value = next.values.LLM_MODEL;
      syncModelText();
      continue;
    }
    input(key).value = next.values[key];
    const fallback = next.defaults[key];
    setText(`hint-${key}`, helpText(key, fallback));
  }
}

/** A result in words, with its technical detail (provider, HTTP status) in smaller text below. */
function setStatus(id: string, text: string, tone: "ok" | "bad" | "busy", detail = ""): void {
  const node = byId(id);
  node.replaceChildren(text);
  if (detail) node.append(el("span", "detail", detail));
  node.dataset["tone"] = tone;
}

/** Disables a button while its call runs, so one click sends one call. */
async function busy(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  if (button.disabled) return;
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

async function save(): Promise<void> {
  setStatus("save-status", "Saving…", "busy");
  try {
    const result = await call("saveSettings", formValues());
    showErrors(result.errors);
    if (result.ok) {
      fill(result.view);
      setStatus("save-status", result.message || "Settings saved.", "ok");
    } else {
      setStatus("save-status", result.message || "Nothing was saved: fix the marked fields.", "bad");
      const firstBad = KEYS.find((key) => result.errors[key]);
      if (firstBad) (firstBad === "LLM_MODEL" ? modelText() : input(firstBad)).focus();
    }
  } catch (error) {
    setStatus("save-status", errorText(error), "bad");
  }
}

async function removeSavedKey(key: SecretKey): Promise<void> {
  setStatus("save-status", "Removing the key…", "busy");
  try {
    const result = await call("removeKey", key);
    fill(result.view);
    setStatus("save-status", `${FIELDS[key].label} removed.`, "ok");
  } catch (error) {
    setStatus("save-status", errorText(error), "bad");
  }
}

/** Closes the dialog without saving; outside Sheets (no host) there is nothing to close. */
function closeDialog(): void {
  const host = globalThis as { google?: { script?: { host?: { close?: () => void } } } };
  host.google?.script?.host?.close?.();
}

async function testService(service: "tavily" | "llm"): Promise<void> {
  const target = `test-result-${service}`;
  setStatus(target, "Testing…", "busy");
  try {
    const result = await call("testConnection", service, formValues());
    setStatus(target, result.message, result.ok ? "ok" : "bad", result.detail);
  } catch (error) {
    setStatus(target, errorText(error), "bad");
  }
}

async function loadModels(): Promise<void> {
  setStatus("models-status", "Loading the model list…", "busy");
  try {
    const result = await call("listModels", formValues());
    showModels(result.models, modelValue());
    setStatus("models-status", result.message, result.ok ? "ok" : "bad", result.detail);
  } catch (error) {
    showModels([], modelValue());
    setStatus("models-status", errorText(error), "bad");
  }
}

function bind(): void {
  const saveButton = byId<HTMLButtonElement>("save");
  byId("settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(saveButton, save);
  });
  for (const service of ["tavily", "llm"] as const) {
    const button = byId<HTMLButtonElement>(`test-${service}`);
    button.addEventListener("click", () => void busy(button, () => testService(service)));
  }
  for (const key of SECRET_KEYS) {
    const button = byId<HTMLButtonElement>(`remove-${key}`);
    button.addEventListener("click", () => void busy(button, () => removeSavedKey(key)));
  }
  byId("cancel").addEventListener("click", closeDialog);
  const load = byId<HTMLButtonElement>("load-models");
  load.addEventListener("click", () => void busy(load, loadModels));
}

async function start(): Promise<void> {
  buildForm();
  bind();
  try {
    fill(await call("getSettingsView"));
    showErrors(view?.errors ?? {});
    show(byId("settings-form"), true);
    show(byId("loading"), false);
    // One cheap call fills the model list when there is a key to ask with.
    if (view?.keysSet.LLM_API_KEY) await busy(byId<HTMLButtonElement>("load-models"), loadModels);
    else setStatus("models-status", "Add the AI key, then Load models; or type a model name.", "busy");
  } catch (error) {
    setText("loading", `Settings could not be loaded: ${errorText(error)}`);
  }
}

void start();
