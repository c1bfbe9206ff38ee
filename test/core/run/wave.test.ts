import { describe, expect, it } from "vitest";
import { startCompany, type CompanyState } from "../../../src/core/engine";
import { companyKey } from "../../../src/core/company-key";
import { startClock, timeWave } from "../../../src/core/run/execution";
import { newRunState, researchOptions, type RunState } from "../../../src/core/run/run-state";
import { cacheWrites, collectFinished, foldAnswers, planWave, type Job, type Outgoing } from "../../../src/core/run/wave";
import type { CacheEntry, HttpResponse } from "../../../src/core/types";
import { chat, fixtureText, makeSettings, reply, response } from "../helpers";

const NOW = Date.UTC(2026, 10, 26, 9);
const settings = makeSettings({ TAVILY_CONCURRENCY: "2", LLM_CONCURRENCY: "2", TAVILY_RPM: "100", LLM_RPM: "100" });
const limits = { concurrency: { tavily: 2, llm: 2 }, rpm: { tavily: 100, llm: 100 } };
const freshRun = (): RunState => newRunState(limits, NOW, null);
const clock = startClock(settings, NOW);

const anthropicSearch = (): HttpResponse => response(200, fixtureText("tavily-search-anthropic.json"));
const schemaRefused = (): HttpResponse =>
  response(400, { object: "error", message: "response_format json_schema is not supported by this model", code: 400 });
const effortRefused = (): HttpResponse =>
  response(400, {
    error: { message: "Unsupported parameter: 'reasoning_effort' is not supported with this model.", param: "reasoning_effort" },
  });
/** A reasoning model that spent the whole cap thinking. */
const thinking = (): HttpResponse =>
  response(200, {
    choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "length" }],
    usage: { prompt_tokens: 3000, completion_tokens: 700 },
  });
const tooMany = (seconds: number): HttpResponse => response(429, { detail: { error: "slow down" } }, { "retry-after": String(seconds) });

function job(company: string, run: RunState = freshRun(), cache: CacheEntry | null = null): Job {
  const state = startCompany({ company, domain: null }, cache, researchOptions(run, settings), NOW);
  return { key: state.key, company, state };
}

/** Evidence paid for earlier and not judged: the company starts at its judging call. */
function unjudged(company: string): CacheEntry {
  return {
    key: companyKey(settings.profile, company, null),
    profile: settings.profile,
    company,
    domain: null,
    query: `"${company}"`,
    fetchedAt: NOW - 1000,
    relevance: 0,
    evidence: [{ url: `https://${company.toLowerCase()}.example/`, title: company, content: `${company} trains large models on GPUs.` }],
    credits: 2,
    result: null,
    status: "unjudged",
    searches: 1,
  };
}

const judging = (company: string, run?: RunState) => job(company, run, unjudged(company));

function plan(jobs: Job[], run = freshRun(), now = NOW) {
  return planWave({ run, jobs, limits, clock, now });
}

/** Sends the planned wave and folds the answers back. */
function fold(run: RunState, outgoing: Outgoing[], responses: HttpResponse[], quotaSpent = false) {
  const sent = { tavily: 0, llm: 0 };
  for (const o of outgoing) sent[o.service] += 1;
  return foldAnswers({ run, settings, limits, outgoing, sent, responses, quotaSpent, sentAt: NOW, receivedAt: NOW + 3000 });
}

function payload(state: CompanyState): Record<string, unknown> {
  return JSON.parse(state.pending?.request.payload ?? "{}") as Record<string, unknown>;
}

describe("planWave", () => {
  it("sends what is due up to each provider's allowance, in the order the companies were claimed", () => {
    const jobs = [job("Alpha"), job("Beta"), job("Gamma"), judging("Delta")];
    const wave = plan(jobs);
    expect(wave.outgoing.map((o) => [o.job.company, o.service])).toEqual([
      ["Alpha", "tavily"],
      ["Beta", "tavily"],
      ["Delta", "llm"],
    ]);
    expect(wave.sent).toEqual({ tavily: 2, llm: 1 });
    expect(wave.jobs).toHaveLength(4);
    expect(wave.wait).toBeNull();
  });

  it("keeps to the requests per minute a provider allows", () => {
    const run = freshRun();
    const recent: RunState = { ...run, pacing: { ...run.pacing, sent: { tavily: [[NOW - 10_000, 99]], llm: [] } } };
    expect(plan([job("Alpha"), job("Beta")], recent).outgoing).toHaveLength(1);
  });

  it("waits for room about to open when more requests wait for it than could go now, rather than sending the few", () => {
    const run = freshRun();
    // The LLM's minute is full until a second from now; one search could go at once.
    const full = (sentAt: number): RunState => ({ ...run, pacing: { ...run.pacing, sent: { tavily: [], llm: [[sentAt, 100]] } } });
    const jobs = [job("Alpha"), judging("Beta"), judging("Gamma")];
    const soon = plan(jobs, full(NOW - 59_000));
    expect(soon.outgoing).toEqual([]);
    expect(soon.wait).toEqual({ kind: "sleep", ms: 1000 });
    // A second later all three go in one wave, not the search alone and the judgements a wave later.
    expect(plan(jobs, full(NOW - 59_000), NOW + 1000).outgoing.map((o) => o.service)).toEqual(["tavily", "llm", "llm"]);
    // Room further off than a wave lasts: the search goes now.
    expect(plan(jobs, full(NOW - 30_000)).outgoing.map((o) => o.job.company)).toEqual(["Alpha"]);
    // As many could go now as wait: they go.
    expect(plan([job("Alpha"), job("Delta"), judging("Beta"), judging("Gamma")], full(NOW - 59_000)).outgoing).toHaveLength(2);
  });

  it("sends the few when the room opens later than they would come back, as a measured wave says", () => {
    const run = freshRun();
    const full = (sentAt: number): RunState => ({ ...run, pacing: { ...run.pacing, sent: { tavily: [], llm: [[sentAt, 100]] } } });
    const jobs = [job("Alpha"), judging("Beta"), judging("Gamma")];
    // Waves take three seconds: room two seconds off would stay unused one second, the search waits two.
    const threeSeconds = timeWave(clock, NOW, NOW + 3000);
    expect(planWave({ run: full(NOW - 58_000), jobs, limits, clock: threeSeconds, now: NOW }).outgoing.map((o) => o.service)).toEqual([
      "tavily",
    ]);
    // Room one second off would stay unused two: the search waits for it.
    const held = planWave({ run: full(NOW - 59_000), jobs, limits, clock: threeSeconds, now: NOW });
    expect(held.outgoing).toEqual([]);
    expect(held.wait).toEqual({ kind: "sleep", ms: 1000 });
  });

  it("sends a wave as large as its size allows when only the wave size holds the rest back", () => {
    const wave = plan([job("Alpha"), job("Beta"), job("Gamma")]);
    expect(wave.outgoing.map((o) => o.job.company)).toEqual(["Alpha", "Beta"]);
    expect(wave.wait).toBeNull();
  });

  it("sleeps until the first backoff or Retry-After ends, and hands off when that outlasts the execution", () => {
    const run = freshRun();
    const limited = fold(run, plan([job("Alpha")], run).outgoing, [tooMany(40)]);
    const soon = plan(limited.answered, limited.run, NOW + 3000);
    expect(soon.outgoing).toEqual([]);
    expect(soon.wait).toEqual({ kind: "sleep", ms: 40_000 });
    const long = fold(run, plan([job("Alpha")], run).outgoing, [tooMany(600)]);
    expect(plan(long.answered, long.run, NOW + 3000).wait).toEqual({ kind: "handOff" });
  });

  it("has nothing to wait for with no company in flight", () => {
    expect(plan([])).toMatchObject({ outgoing: [], jobs: [], wait: null });
  });

  it("takes finished companies out of the pool, and a company that paused the run pauses it", () => {
    const run = freshRun();
    const keyRejected = fold(run, plan([job("Alpha")], run).outgoing, [response(401, { detail: { error: "Unauthorized" } })]);
    const wave = plan([...keyRejected.answered, job("Beta")], keyRejected.run);
    expect(wave.finished.map((f) => [f.key, f.outcome.kind])).toEqual([[job("Alpha").key, "paused"]]);
    expect(wave.jobs.map((j) => j.company)).toEqual(["Beta"]);
    expect(wave.run.paused).toEqual({ kind: "keyRejected", service: "tavily" });
  });
});

describe("foldAnswers", () => {
  it("moves each company on, counts what was paid, and lists evidence to store before it is judged", () => {
    const run = freshRun();
    const wave = plan([job("Anthropic")], run);
    const folded = fold(run, wave.outgoing, [anthropicSearch()]);
    expect(folded.answered[0]?.state.phase).toBe("judge");
    expect(folded.run.cost.tavilyCredits).toBe(2);
    expect(folded.run.cost.usd).toBeGreaterThan(0);
    expect(folded.store.map((e) => [e.company, e.status])).toEqual([["Anthropic", "unjudged"]]);
    expect(folded.run.pacing.sent.tavily).toEqual([[NOW, 1]]);
  });

  it("halves a provider's wave after a 429 and holds it until the Retry-After", () => {
    const run = freshRun();
    const folded = fold(run, plan([job("Alpha"), job("Beta")], run).outgoing, [tooMany(20), anthropicSearch()]);
    expect(folded.run.pacing.waveSize.tavily).toBe(1);
    expect(folded.run.pacing.blockedUntil.tavily).toBe(NOW + 3000 + 20_000);
    expect(folded.run.refusingSince.tavily).toBeNull();
    const allRefused = fold(run, plan([job("Alpha")], run).outgoing, [tooMany(20)]);
    expect(allRefused.run.refusingSince.tavily).toBe(NOW + 3000);
  });

  it("switches the run to JSON mode, and an answer later in the same wave already judges in JSON mode", () => {
    const run = freshRun();
    const wave = plan([judging("Delta"), job("Anthropic")], run);
    const folded = fold(run, wave.outgoing, [schemaRefused(), anthropicSearch()]);
    expect(folded.run.jsonMode).toBe(true);
    const [delta, anthropic] = folded.answered;
    expect(payload(delta?.state as CompanyState).response_format).toEqual({ type: "json_object" });
    expect(payload(anthropic?.state as CompanyState).response_format).toEqual({ type: "json_object" });
  });

  it("remembers that the provider refuses reasoning_effort: a company that needs the reasoning retry later never sends it", () => {
    let run = freshRun();
    // Delta's model thinks through the first cap: its retry asks for low reasoning effort, refused.
    let jobs = [judging("Delta")];
    for (const answer of [thinking, effortRefused]) {
      const folded = fold(run, plan(jobs, run).outgoing, [answer()]);
      run = folded.run;
      jobs = folded.answered;
    }
    expect(run.noReasoningEffort).toBe(true);
    expect(payload(jobs[0]?.state as CompanyState)).not.toHaveProperty("reasoning_effort");
    // Echo, claimed afterwards, thinks too: its retry goes without the parameter, refused by nobody.
    const echo = judging("Echo", run);
    const folded = fold(run, plan([echo], run).outgoing, [thinking()]);
    expect(payload(folded.answered[0]?.state as CompanyState)).toMatchObject({ max_tokens: 4000 });
    expect(payload(folded.answered[0]?.state as CompanyState)).not.toHaveProperty("reasoning_effort");
  });

  it("pauses on Google's daily quota, leaving the unanswered companies to send again", () => {
    const run = freshRun();
    const wave = plan([job("Alpha"), job("Beta")], run);
    const folded = fold(run, wave.outgoing, [anthropicSearch()], true);
    expect(folded.answered.map((j) => j.company)).toEqual(["Alpha"]);
    expect(folded.run.paused).toEqual({ kind: "dailyQuota" });
  });
});

describe("collectFinished and cacheWrites", () => {
  it("stores each finished result once, the latest entry of a key winning", () => {
    const run = freshRun();
    const folded = fold(run, plan([judging("Delta")], run).outgoing, [chat(reply())]);
    const done = collectFinished(folded.run, folded.answered);
    expect(done.jobs).toEqual([]);
    expect(done.finished.map((f) => f.outcome.kind)).toEqual(["done"]);
    expect(done.store.map((e) => e.status)).toEqual(["validated"]);
    const earlier = unjudged("Delta");
    const writes = cacheWrites([earlier, unjudged("Other"), ...done.store]);
    expect(writes.map((e) => [e.company, e.status])).toEqual([
      ["Delta", "validated"],
      ["Other", "unjudged"],
    ]);
  });
});
