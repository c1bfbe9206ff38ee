// The progress sidebar (SPEC §8): draws getResearchProgress() and drives the run while open.
import { TIERS, type ResearchProgress, type Tier } from "../core/types";
import { call } from "./bridge";
import { byId, el, errorText, setText, show } from "./dom";
import { RunDriver } from "./driver";
import { finishedRows, formatCount, formatDuration, formatTokens, formatUsd, pauseAdvice, runPhase, type RunPhase } from "./format";

const PHASE_LABEL: Record<RunPhase, string> = { idle: "Idle", running: "Running", paused: "Paused", finished: "Finished" };

const COUNT_IDS: ReadonlyArray<[keyof ResearchProgress, string]> = [
  ["queued", "count-queued"],
  ["researching", "count-researching"],
  ["done", "count-done"],
  ["cached", "count-cached"],
  ["noData", "count-noData"],
  ["failed", "count-failed"],
  ["cancelled", "count-cancelled"],
  ["paused", "count-paused"],
];

let latest: ResearchProgress | null = null;
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
  show(panel, p.isPaused);
  if (!p.isPaused) return;
  const advice = pauseAdvice(p.message);
  setText("paused-title", advice.title);
  // The server's message repeats the Status cell ("Paused: <reason>"); the panel already says paused.
  const reason = p.message.replace(/^paused:\s*/i, "");
  setText("paused-reason", reason ? `Reason: ${reason}` : "");
  setText("paused-advice", advice.advice);
  show(byId("open-settings"), advice.offerSettings);
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

function renderErrors(p: ResearchProgress): void {
  const list = byId("errors");
  list.replaceChildren(
    ...p.errors.map((row) => el("li", null, el("div", "error-where", `Row ${row.row} · `, el("span", "company", row.company || "(no name)")), el("div", "status-line", row.status))),
  );
  show(byId("errors-section"), p.errors.length > 0 || p.failed + p.noData > 0);
  setText("errors-title", p.errors.length > 0 ? `Errors (${formatCount(p.errors.length)})` : "Rows to retry");
  // Retry also takes rows without reliable data: say so when they are all there is.
  setText("errors-note", p.errors.length > 0 ? "" : `${formatCount(p.noData + p.failed)} row(s) found no reliable data. Retrying searches them again.`);
  show(byId("errors-note"), p.errors.length === 0);
}

function render(p: ResearchProgress): void {
  latest = p;
  const phase = runPhase(p);
  const pill = byId("phase");
  pill.textContent = PHASE_LABEL[phase];
  pill.className = `pill pill-${phase}`;
  document.body.dataset["phase"] = phase;

  show(byId("idle"), phase === "idle");
  show(byId("run"), phase !== "idle");

  const finished = Math.min(finishedRows(p), p.total);
  const percent = p.total > 0 ? Math.round((finished / p.total) * 100) : 0;
  const bar = byId("bar");
  bar.setAttribute("aria-valuenow", String(percent));
  byId("bar-fill").style.width = `${percent}%`;
  setText("bar-label", `${formatCount(finished)} of ${formatCount(p.total)} rows finished`);
  setText("bar-percent", `${percent}%`);

  renderTimes(p);
  renderPaused(p);
  show(byId("slow-note"), p.slowWhenClosed && (phase === "running" || phase === "paused"));

  for (const [key, id] of COUNT_IDS) setText(id, formatCount(Number(p[key])));
  for (const tier of TIERS) {
    setText(`tier-${tier}`, formatCount(p.tiers[tier]));
    // Empty tiers step back so the ones that matter stand out.
    byId(`tier-${tier}`).parentElement?.classList.toggle("zero", p.tiers[tier] === 0);
  }

  setText("cost-usd", formatUsd(p.costUsd));
  setText("cost-credits", formatCount(p.tavilyCredits));
  setText("cost-tokens", formatTokens(p.llmTokens));

  renderRecent(p);
  renderErrors(p);
  show(byId("cancel"), phase === "running" || phase === "paused");
}

const driver = new RunDriver({
  fetchProgress: () => call("getResearchProgress"),
  runWorker: () => call("runResearchWorker"),
  onProgress: render,
  onProblem: (source, error) => {
    problems[source] =
      error === null ? "" : source === "progress" ? `Progress could not be read: ${errorText(error)}` : `The last research step failed and will be retried: ${errorText(error)}`;
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
 * Runs a button's server action once at a time, then shows the fresh progress. `act` resolves
 * with the confirmation to show, or rejects with what went wrong.
 */
function bindAction(buttonId: string, act: () => Promise<string>): void {
  const button = byId<HTMLButtonElement>(buttonId);
  button.addEventListener("click", () => {
    if (button.disabled) return;
    button.disabled = true;
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
        button.disabled = false;
        renderProblems();
      });
  });
}

/** The server's own words about a command (how many rows it queued or cancelled). */
async function command(fn: "cancelResearch" | "retryFailedRows" | "resumeResearch"): Promise<string> {
  const result = await call(fn);
  if (!result.ok) throw new Error(result.message);
  return result.message;
}

function start(): void {
  bindAction("cancel", () => command("cancelResearch"));
  bindAction("retry", () => command("retryFailedRows"));
  bindAction("resume", () => command("resumeResearch"));
  bindAction("open-settings", () => call("showSettings").then(() => "Settings are open in a dialog."));
  // Elapsed time moves every second between polls.
  window.setInterval(() => {
    if (latest) renderTimes(latest);
  }, 1000);
  driver.start();
}

start();
