// The progress sidebar: starts a run from the selection (after showing its estimate), draws
// getResearchProgress() and drives the run while open, says what to do when it pauses or ends,
// and shows and clears the cache.
import { ADVANCED_SEARCH_CREDITS } from "../core/costs";
import { columnUnchosen, describeEstimate } from "../core/run/estimate";
import { bandRange, TIER_BANDS, UNKNOWN_MEANING } from "../core/scoring";
import { pauseAdvice, statusText } from "../core/status";
import { TIERS, type Tier } from "../core/types";
import type { CacheStats, ErrorRow, ResearchProgress, RunEstimate, SidebarAction } from "../core/wire";
import { call } from "./bridge";
import { byId, el, errorText, setText, show } from "./dom";
import { RunDriver } from "./driver";
import { finishedRows, formatAge, formatCount, formatDuration, formatTokens, formatUsd, runPhase, type RunPhase } from "./format";

const PHASE_LABEL: Record<RunPhase, string> = { idle: "Idle", running: "Running", paused: "Paused", finished: "Finished" };

const COUNT_IDS: ReadonlyArray<[keyof ResearchProgress, string]> = [
  ["queued", "count-queued"],
  ["researching", "count-researching"],
  ["done", "count-done"],
  ["cached", "count-cached"],
  ["noData", "count-noData"],
  ["cancelled", "count-cancelled"],
  ["paused", "count-paused"],
];

let latest: ResearchProgress | null = null;
/** The estimate on screen, waiting for its Start button: what it would queue, and the button that asked. */
let shownEstimate: { action: SidebarAction; estimate: RunEstimate; opener: string } | null = null;
const problems: Record<"progress" | "worker" | "action", string> = { progress: "", worker: "", action: "" };

function tierClass(tier: Tier | ""): string {
  return tier === "" ? "chip" : `chip tier-${tier.toLowerCase()}`;
}

function renderProblems(): void {
  const text = [problems.action, problems.progress, problems.worker].filter(Boolean).join(" ");
  const box = byId("problem");
  box.textContent = text;
  show(box, text !== "");
}

function renderTimes(p: ResearchProgress): void {
  const phase = runPhase(p);
  const active = phase === "running" || phase === "paused";
  show(byId("times"), active && p.startedAt > 0);
  if (!active || p.startedAt <= 0) return;
  setText("elapsed", formatDuration((Date.now() - p.startedAt) / 1000));
  if (phase === "paused") setText("eta", "waiting for you");
  else setText("eta", p.etaSeconds > 0 ? `about ${formatDuration(p.etaSeconds)}` : "estimating…");
}

function renderPaused(p: ResearchProgress): void {
  const panel = byId("paused-panel");
  show(panel, p.pause !== null);
  if (p.pause === null) return;
  const advice = pauseAdvice(p.pause);
  setText("paused-title", advice.title);
  setText("paused-advice", advice.advice);
  // The words the sheet shows, so the rep connects this panel with the Status cells.
  setText("paused-status", `Waiting rows show “${statusText({ kind: "paused", reason: p.pause })}”.`);
  show(byId("open-settings"), advice.offerSettings);
}

/** When a run has ended: how long it took, what it cost, and how many rows need another try. */
function renderSummary(p: ResearchProgress, phase: RunPhase): void {
  const summary = byId("summary");
  show(summary, phase === "finished");
  if (phase !== "finished") return;
  const took = p.finishedAt > 0 && p.startedAt > 0 ? ` in ${formatDuration((p.finishedAt - p.startedAt) / 1000)}` : "";
  const failed = p.failed > 0 || p.noData > 0;
  summary.classList.toggle("with-failures", failed);
  setText("summary-title", `Finished${took} · ${formatUsd(p.costUsd)}`);
  const parts = [
    `${formatCount(p.done + p.cached)} done`,
    `${formatCount(p.noData)} no data`,
    `${formatCount(p.failed - p.skipped)} failed`,
  ];
  if (p.skipped > 0) parts.push(`${formatCount(p.skipped)} not written`);
  if (p.cancelled > 0) parts.push(`${formatCount(p.cancelled)} cancelled`);
  setText("summary-rows", `${parts.join(" · ")}.`);
}

function renderRecent(p: ResearchProgress): void {
  const list = byId("recent");
  list.replaceChildren(
    ...p.recent.map((row) =>
      el(
        "li",
        null,
        el(
          "div",
          "recent-top",
          el("span", "company", row.company || "(no name)"),
          row.tier ? el("span", tierClass(row.tier), row.tier) : null,
          row.score !== null ? el("span", "score", String(row.score)) : null,
        ),
        el("div", "status-line", row.status),
      ),
    ),
  );
  show(byId("recent-section"), p.recent.length > 0);
}

/** A failed row as a link that selects it in the sheet. */
function errorItem(row: ErrorRow): HTMLElement {
  const link = el("button", "link", `Row ${row.row} · `, el("span", "company", row.company || "(no name)"));
  link.setAttribute("title", `Select row ${row.row} of ${row.sheet}`);
  link.addEventListener("click", () => {
    runAction(link, async () => {
      const result = await call("selectRow", row.sheet, row.row, row.company);
      if (!result.ok) throw new Error(result.message);
      return result.message;
    });
  });
  return el("li", null, el("div", "error-where", link), el("div", "status-line", row.status));
}

/** The rows each list shows now, as JSON. */
const listed = new Map<string, string>();

/** Lists the rows, rebuilt only when they changed: a poll must not remove the link a keyboard user is on. */
function listRows(id: string, rows: readonly ErrorRow[]): void {
  const key = JSON.stringify(rows);
  if (listed.get(id) === key) return;
  listed.set(id, key);
  byId(id).replaceChildren(...rows.map(errorItem));
}

/**
 * Failed rows a retry may fix, and apart from them the rows whose cells could not be written (a
 * protected range): a retry meets the same protection, so they are not offered as rows to retry.
 */
function renderErrors(p: ResearchProgress, phase: RunPhase): void {
  const retryable = p.errors.filter((row) => !row.skipped);
  const unwritable = p.errors.filter((row) => row.skipped);
  listRows("errors", retryable);
  const toRetry = p.failed - p.skipped + p.noData;
  show(byId("errors-section"), retryable.length > 0 || (phase === "finished" && toRetry > 0));
  setText("errors-title", retryable.length > 0 ? `Rows to retry (${formatCount(retryable.length)})` : "Rows to retry");
  // Retry also takes rows without reliable data: say so when they are all there is.
  const note =
    retryable.length === 0 && p.noData > 0 ? `${formatCount(p.noData)} row(s) found no reliable data. Retrying searches them again.` : "";
  setText("errors-note", note);
  show(byId("errors-note"), note !== "");
  show(byId("retry"), phase !== "running" && toRetry > 0);

  listRows("skipped", unwritable);
  show(byId("skipped-section"), unwritable.length > 0);
  setText("skipped-title", `Rows not written (${formatCount(Math.max(p.skipped, unwritable.length))})`);
}

/** What each tier means, from the scoring table (the sidebar does not know the profile: the default's words). */
function renderLegend(): void {
  const item = (tier: Tier, range: string, meaning: string) =>
    el("li", null, el("span", tierClass(tier), tier), el("span", "range", range), el("span", null, meaning));
  byId("tier-legend").replaceChildren(
    ...TIER_BANDS.map((band) => item(band.tier, bandRange(band), band.meaning["gpu-infrastructure"])),
    item("UNKNOWN", "no score", UNKNOWN_MEANING),
  );
}

function render(p: ResearchProgress): void {
  latest = p;
  const phase = runPhase(p);
  const pill = byId("phase");
  pill.textContent = PHASE_LABEL[phase];
  pill.className = `pill pill-${phase}`;
  document.body.dataset["phase"] = phase;

  // A run can start from here whenever none is going on.
  show(byId("start"), (phase === "idle" || phase === "finished") && shownEstimate === null);
  setText(
    "start-intro",
    phase === "idle" ? "Select the rows with company names in your sheet, then:" : "To research more companies, select their rows, then:",
  );
  show(byId("run"), phase !== "idle");

  const finished = Math.min(finishedRows(p), p.total);
  const percent = p.total > 0 ? Math.round((finished / p.total) * 100) : 0;
  show(byId("bar-block"), phase === "running" || phase === "paused");
  const bar = byId("bar");
  bar.setAttribute("aria-valuenow", String(percent));
  byId("bar-fill").style.width = `${percent}%`;
  setText("bar-label", `${formatCount(finished)} of ${formatCount(p.total)} rows finished`);
  setText("bar-percent", `${percent}%`);

  renderSummary(p, phase);
  renderTimes(p);
  renderPaused(p);
  const active = phase === "running" || phase === "paused";
  const theirs = active && p.ownedBy !== "";
  show(byId("owner-note"), theirs);
  setText(
    "owner-note",
    theirs ? `This run is ${p.ownedBy}'s: it uses their keys and their sidebar drives it. You can watch it here, or cancel it.` : "",
  );
  show(byId("slow-note"), p.whenClosed === "hourly" && active && !theirs);
  show(byId("stops-note"), p.whenClosed === "stops" && active && !theirs);
  // Resume and Retry queue with the owner's keys, so they are the owner's to press.
  show(byId("resume"), p.ownedBy === "");

  for (const [key, id] of COUNT_IDS) setText(id, formatCount(Number(p[key])));
  // Rows that could not be written are counted apart from the failures a retry may fix.
  setText("count-failed", formatCount(p.failed - p.skipped));
  setText("count-skipped", formatCount(p.skipped));
  for (const id of ["count-skipped", "count-skipped-label"]) show(byId(id), p.skipped > 0);
  for (const tier of TIERS) {
    setText(`tier-${tier}`, formatCount(p.tiers[tier]));
    // Empty tiers step back so the ones that matter stand out.
    byId(`tier-${tier}`).parentElement?.classList.toggle("zero", p.tiers[tier] === 0);
  }

  setText("cost-title", phase === "finished" ? "Cost" : "Cost so far");
  setText("cost-usd", formatUsd(p.costUsd));
  // Every search is an advanced one, billed at a fixed number of credits.
  setText("cost-searches", formatCount(Math.round(p.tavilyCredits / ADVANCED_SEARCH_CREDITS)));
  setText("cost-detail", `Billed as ${formatCount(p.tavilyCredits)} Tavily credits and ${formatTokens(p.llmTokens)} AI tokens.`);

  renderRecent(p);
  renderErrors(p, phase);
  show(byId("cancel"), phase === "running" || phase === "paused");
  rescueFocus();
}

function isShown(node: HTMLElement): boolean {
  return node.isConnected && node.closest("[hidden]") === null;
}

/** Moves focus to the element when it is shown; says whether it did. */
function focusOn(id: string): boolean {
  const node = byId(id);
  if (!isShown(node)) return false;
  node.focus();
  return true;
}

/** Where focus lands when the control that had it disappears, first shown first. */
const LANDINGS = ["estimate-title", "paused-title", "bar", "summary-title", "research", "settings"];

/**
 * A control hidden while it had focus (Cancel when the run ends, a panel's button) would keep it
 * unseen: focus moves to the nearest landing instead. Only while the sidebar has focus, so a poll
 * never takes the keyboard from the sheet; and from the page itself only after the user's action
 * (`afterAction`), so a poll never scrolls the page under a reader who clicked beside a control.
 */
function rescueFocus(afterAction = false): void {
  const active = document.activeElement;
  if (!document.hasFocus() || !(active instanceof HTMLElement)) return;
  if (active === document.body ? !afterAction : isShown(active)) return;
  for (const id of LANDINGS) if (focusOn(id)) return;
}

const driver = new RunDriver({
  fetchProgress: () => call("getResearchProgress"),
  runWorker: () => call("runResearchWorker"),
  onProgress: render,
  onProblem: (source, error) => {
    problems[source] =
      error === null
        ? ""
        : source === "progress"
          ? `Progress could not be read: ${errorText(error)}`
          : `The last research step failed and will be retried: ${errorText(error)}`;
    renderProblems();
  },
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
});

let noticeTimer = 0;
/** A short confirmation of the last action; it fades out so it never reads as the run's state. */
function setNotice(text: string): void {
  setText("notice", text);
  window.clearTimeout(noticeTimer);
  if (text) noticeTimer = window.setTimeout(() => setText("notice", ""), 8000);
}

/**
 * Runs a button's server action once at a time, then polls at once: the user acted, so the
 * progress may have changed. `act` resolves with the confirmation to show, or rejects. Disabling
 * the button drops its focus: afterwards focus goes to `focusAfter` (the first shown of those ids),
 * else back to the button, else to the nearest landing.
 */
function runAction(button: HTMLButtonElement | HTMLElement, act: () => Promise<string>, focusAfter: readonly string[] = []): void {
  const control = button as HTMLButtonElement;
  if (control.disabled) return;
  const hadFocus = document.activeElement === control;
  control.disabled = true;
  problems.action = "";
  renderProblems();
  act()
    .then((notice) => {
      setNotice(notice);
      return driver.refresh();
    })
    .catch((error: unknown) => {
      setNotice("");
      problems.action = errorText(error);
    })
    .finally(() => {
      control.disabled = false;
      renderProblems();
      if (!hadFocus) return;
      if (focusAfter.some(focusOn)) return;
      if (isShown(control)) control.focus();
      else rescueFocus(true);
    });
}

function bindAction(buttonId: string, act: () => Promise<string>, focusAfter: readonly string[] = []): void {
  const button = byId<HTMLButtonElement>(buttonId);
  button.addEventListener("click", () => runAction(button, act, focusAfter));
}

/** The server's own words about a command (how many rows it cancelled). */
async function command(fn: "cancelResearch"): Promise<string> {
  const result = await call(fn);
  if (!result.ok) throw new Error(result.message);
  return result.message;
}

/** What each action's Start button says. */
const START_LABEL: Record<SidebarAction, string> = { research: "Start research", retry: "Retry these rows", resume: "Resume" };

/** The column choice, when no header names the company column: each selected column with its first names. */
function renderColumnChoice(estimate: RunEstimate): void {
  const choice = estimate.columnChoice;
  show(byId("column-choice"), choice !== null);
  if (!choice) return;
  const select = byId<HTMLSelectElement>("column-select");
  const prompt = el("option", null, "Choose a column") as HTMLOptionElement;
  prompt.value = "";
  const options = choice.options.map((o) => {
    const option = el(
      "option",
      null,
      `${o.letter}${o.header ? ` · ${o.header}` : ""}: ${o.names.join(", ") || "empty"}`,
    ) as HTMLOptionElement;
    option.value = String(o.column);
    return option;
  });
  select.replaceChildren(prompt, ...options);
  select.value = choice.chosen === null ? "" : String(choice.chosen);
}

function showEstimate(shown: typeof shownEstimate): void {
  shownEstimate = shown;
  show(byId("estimate"), shown !== null);
  if (shown) {
    const { title, lines } = describeEstimate(shown.estimate, "offered");
    setText("estimate-title", title);
    byId("estimate-lines").replaceChildren(...lines.map((line) => el("li", null, line)));
    setText("estimate-start", START_LABEL[shown.action]);
    renderColumnChoice(shown.estimate);
  }
  if (latest) render(latest);
  else show(byId("start"), shown === null);
}

/** Asks the server what `action` would queue and cost, and shows it with its Start button. */
async function estimate(action: SidebarAction, opener: string, column: number | null = null): Promise<string> {
  const result = await call("estimateQueue", action, column);
  if (!result.ok) throw new Error(result.message);
  showEstimate({ action, estimate: result.estimate, opener });
  return "";
}

async function startQueued(): Promise<string> {
  if (!shownEstimate) return "";
  const { action, estimate: seen, opener } = shownEstimate;
  const answer = await call("startQueue", action, seen.planId, seen.columnChoice?.chosen ?? null);
  if (answer.kind === "changed") {
    showEstimate({ action, estimate: answer.estimate, opener });
    return "What would be queued changed since: here is its estimate.";
  }
  if (!answer.result.ok) throw new Error(answer.result.message);
  showEstimate(null);
  return answer.result.message;
}

function renderCache(stats: CacheStats): void {
  setText("cache-companies", formatCount(stats.companies));
  setText("cache-noData", formatCount(stats.noData));
  setText("cache-unjudged", formatCount(stats.unjudged));
  setText("cache-oldest", stats.oldestAt > 0 ? formatAge(stats.oldestAt, Date.now()) : "none");
  const share = stats.cellLimit > 0 ? (stats.cells / stats.cellLimit) * 100 : 0;
  setText(
    "cache-size",
    `${formatCount(stats.cells)} cells (${share < 0.1 && stats.cells > 0 ? "<0.1" : share.toFixed(1)}% of the sheet limit)`,
  );
}

async function loadCache(): Promise<string> {
  renderCache(await call("getCacheStats"));
  return "";
}

/** The clear waiting for its confirmation (null for all entries, else a number of days) and the button that asked. */
let pendingClear: { olderThanDays: number | null; opener: string } | null = null;

/** The confirmation takes focus on its safe choice, Keep; Escape or Keep closes it. */
function askClear(olderThanDays: number | null, opener: string): void {
  pendingClear = { olderThanDays, opener };
  setText(
    "cache-confirm-text",
    olderThanDays === null
      ? "Remove all saved research? Companies researched again will be paid for again. Your sheets are not changed."
      : `Remove what was researched more than ${formatCount(olderThanDays)} days ago? Your sheets are not changed.`,
  );
  show(byId("cache-confirm"), true);
  byId("cache-confirm-no").focus();
}

/** Closes the confirmation without clearing; focus goes back to the button that opened it. */
function dismissClear(): void {
  const opener = pendingClear?.opener;
  pendingClear = null;
  show(byId("cache-confirm"), false);
  if (opener) focusOn(opener);
}

async function confirmClear(): Promise<string> {
  const pending = pendingClear;
  pendingClear = null;
  show(byId("cache-confirm"), false);
  if (!pending) return "";
  focusOn(pending.opener);
  const result = await call("clearCache", pending.olderThanDays);
  renderCache(result.stats);
  return result.message;
}

function start(): void {
  renderLegend();
  for (const [id, action] of [
    ["research", "research"],
    ["retry", "retry"],
    ["resume", "resume"],
  ] as const) {
    bindAction(id, () => estimate(action, id), ["estimate-title"]);
  }
  const startButton = byId<HTMLButtonElement>("estimate-start");
  startButton.addEventListener("click", () => {
    // No Start before the rep says which column holds the companies: the choice takes focus.
    if (shownEstimate && columnUnchosen(shownEstimate.estimate)) {
      problems.action = "Choose the column that holds the companies first.";
      renderProblems();
      focusOn("column-select");
      return;
    }
    runAction(startButton, startQueued, ["estimate-title", "bar"]);
  });
  byId("estimate-dismiss").addEventListener("click", () => {
    const opener = shownEstimate?.opener ?? "research";
    showEstimate(null);
    if (!focusOn(opener)) rescueFocus(true);
  });
  // Another column is estimated at once: the figures shown are always those Start would queue.
  const columnSelect = byId<HTMLSelectElement>("column-select");
  columnSelect.addEventListener("change", () => {
    const shown = shownEstimate;
    const column = Number(columnSelect.value);
    if (!shown || !Number.isInteger(column) || column < 1) return;
    runAction(columnSelect, () => estimate(shown.action, shown.opener, column), ["column-select"]);
  });
  bindAction("cancel", () => command("cancelResearch"), ["summary-title"]);
  const openSettings = () => call("showSettings").then(() => "Settings are open in a dialog.");
  bindAction("open-settings", openSettings);
  bindAction("settings", openSettings);

  const cache = byId<HTMLDetailsElement>("cache");
  cache.addEventListener("toggle", () => {
    if (cache.open) runAction(byId("cache-clear-all"), loadCache);
  });
  byId("cache-clear-all").addEventListener("click", () => askClear(null, "cache-clear-all"));
  byId("cache-clear-old").addEventListener("click", () => {
    const days = Number(byId<HTMLInputElement>("cache-days").value);
    if (!Number.isFinite(days) || days < 0) {
      problems.action = "Enter a number of days (0 or more).";
      renderProblems();
      return;
    }
    askClear(Math.floor(days), "cache-clear-old");
  });
  bindAction("cache-confirm-yes", confirmClear);
  byId("cache-confirm-no").addEventListener("click", dismissClear);
  byId("cache-confirm").addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    dismissClear();
  });

  // Elapsed time moves every second between polls.
  window.setInterval(() => {
    if (latest) renderTimes(latest);
  }, 1000);
  driver.start();
}

start();
