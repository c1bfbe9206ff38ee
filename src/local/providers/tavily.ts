// Fake Tavily search API (POST https://api.tavily.com/search, GET /usage) answering in the real
// response shape, with a latency model, key check, rate limit, plan limit and fault injection.
import { z } from "zod";
import {
  bearerToken,
  companyId,
  createGate,
  fakeId,
  hashString,
  jsonReply,
  mentions,
  type Charge,
  type FaultOption,
  type ProviderReply,
  type ProviderRequest,
} from "./common";
import { companySlug, companyTraits } from "./traits";

export const TAVILY_ORIGIN = "https://api.tavily.com";
const PLAN_LIMIT_TEXT = "This request exceeds your plan's set usage limit. Please upgrade your plan or contact support@tavily.com";

export interface FakePage {
  url: string;
  title: string;
  content: string;
  /** Full page text for include_raw_content; defaults to a longer rendering of content. */
  rawContent?: string;
}

/**
 * What the search returns for a company the `knowledge` map does not hold: pages generated from the
 * company's traits ("generate"), no results ("empty"), or results about other things that never
 * mention the company ("unrelated", the namesake / nothing-found case).
 */
export type Coverage = "generate" | "empty" | "unrelated";

export interface FakeTavilyOptions {
  /** The key the fake accepts; other Bearer tokens get 401. */
  apiKey: string;
  /** Company (any case) -> the pages a search about it returns. */
  knowledge?: Record<string, { pages: FakePage[] }>;
  /** For companies not in `knowledge`; default "generate" for everyone. */
  coverage?: (company: string) => Coverage;
  /** Virtual milliseconds per search; default 3000 advanced, 1500 otherwise. */
  latencyMs?: (depth: SearchDepth, request: ProviderRequest) => number;
  errorLatencyMs?: number;
  /** Requests per minute (sliding 60 s window); default unlimited. */
  rpm?: number;
  faults?: FaultOption;
  /** Credits the plan allows; requests after that answer 432. Default unlimited. */
  planCredits?: number;
}

export type SearchDepth = "basic" | "advanced" | "fast" | "ultra-fast";

/** A billed search; `research` when its query was not the company's first. */
export interface SearchCharge extends Charge {
  research: boolean;
}

const SearchBody = z.object({
  query: z.string().min(1),
  search_depth: z.enum(["basic", "advanced", "fast", "ultra-fast"]).optional(),
  topic: z.enum(["general", "news", "finance"]).optional(),
  max_results: z.number().int().min(0).max(20).optional(),
  include_answer: z.union([z.boolean(), z.enum(["basic", "advanced"])]).optional(),
  include_raw_content: z.union([z.boolean(), z.enum(["markdown", "text"])]).optional(),
  include_images: z.boolean().optional(),
  include_domains: z.array(z.string()).optional(),
  exclude_domains: z.array(z.string()).optional(),
  include_usage: z.boolean().optional(),
  chunks_per_source: z.number().int().optional(),
  time_range: z.string().nullable().optional(),
  days: z.number().optional(),
  country: z.string().nullable().optional(),
  api_key: z.string().optional(),
});
export type SearchBody = z.infer<typeof SearchBody>;

export interface TavilyResult {
  url: string;
  title: string;
  content: string;
  score: number;
  raw_content: string | null;
}

export interface TavilySearchResponse {
  query: string;
  follow_up_questions: null;
  answer: string | null;
  images: string[];
  results: TavilyResult[];
  response_time: number;
  usage?: { credits: number };
  request_id: string;
}

export interface FakeTavily {
  handle(request: ProviderRequest): ProviderReply;
  /** Requests received, whatever their answer. */
  readonly requests: number;
  /** Searches answered 200. */
  readonly searches: number;
  /** Requests per company (the quoted part of the query), whatever their answer. */
  readonly byCompany: Readonly<Record<string, number>>;
  /** Credits charged by successful searches: what the account is billed. */
  readonly creditsServed: number;
  /**
   * Successful (billed) searches split by query: `first` carries the first query seen for its
   * company, `research` another query for a company already searched (the re-search of a company
   * the first results did not describe). A `first` count above the companies means paid twice.
   */
  readonly searchesByQuery: Readonly<{ first: number; research: number }>;
  /** Every billed search, in credits: a caller can tell which answers came back after a kill. */
  readonly charges: readonly SearchCharge[];
  /** Sum of the latencies of the searches answered 200 (the bench's bound uses their mean). */
  readonly searchLatencyMsServed: number;
  /** Answers per HTTP status. */
  readonly byStatus: Readonly<Record<number, number>>;
  reset(): void;
}

/**
 * The company a query is about: the engine puts it in double quotes. Without quotes, the whole
 * query stands for the company, so a bare-name retry still counts against that name.
 */
export function companyFromQuery(query: string): string {
  const quoted = /"([^"]+)"/.exec(query) ?? /“([^”]+)”/.exec(query);
  return (quoted?.[1] ?? query).trim();
}

const UNRELATED_PAGES: readonly FakePage[] = [
  {
    url: "https://www.example-news.com/gpu-cloud-market-2025",
    title: "The GPU cloud market in 2025",
    content:
      "Demand for GPU compute keeps growing as more teams train and serve models. Analysts expect capacity to stay tight through next year, with prices for H100 and B200 instances varying widely between providers.",
  },
  {
    url: "https://blog.example.org/fine-tuning-vs-rag",
    title: "Fine-tuning versus retrieval: what to pick",
    content:
      "Most product teams do not need to train a model. Retrieval-augmented generation on top of a hosted model API covers many use cases; fine-tuning helps when the output format or tone must be very consistent.",
  },
  {
    url: "https://www.example-directory.com/startups/ai",
    title: "AI startups directory",
    content:
      "A list of AI startups by category: developer tools, customer support, sales automation, healthcare, robotics and autonomous systems. Each entry lists funding, headcount and location.",
  },
];

/** The pages this fake generates for a company it has no `knowledge` of (before unrelated ones are mixed in). */
export function fakePages(company: string): FakePage[] {
  const traits = companyTraits(company);
  const slug = companySlug(company);
  const h = hashString(companyId(company));
  const say = (i: number) => (traits.facts[i % traits.facts.length] ?? "").replaceAll("{c}", company);
  const funding =
    traits.fundingMusd === null
      ? `${company} has not disclosed its funding.`
      : `${company} has raised about $${traits.fundingMusd} million in total funding.`;
  const growth = [
    traits.rapidGrowth ? `${company} doubled its customer base over the last year.` : `${company} grows at a steady pace.`,
    traits.mlHiring
      ? `${company} is hiring machine-learning and GPU infrastructure engineers.`
      : `${company} is hiring in sales and support.`,
    traits.recentFunding ? `${company} closed a new funding round this year to expand.` : "",
  ].join(" ");
  // Page bodies of 1-3 KB, like Tavily's advanced-depth content, so the evidence budget matters.
  const body = (i: number) => {
    const parts = [say(i), funding, growth, say(i + 1), say(i + 2)];
    const filler = ` Coverage of ${company} notes its product, customers and team. ${say(i)}`;
    const repeat = 2 + ((h >>> (i * 3)) & 3);
    return parts.join(" ") + filler.repeat(repeat);
  };
  return [
    { url: `https://www.${slug}.com/about`, title: `About ${company}`, content: body(0) },
    { url: `https://techcrunch.com/${2023 + (h % 3)}/${slug}-funding`, title: `${company} raises new round`, content: body(1) },
    { url: `https://www.linkedin.com/company/${slug}`, title: `${company} | LinkedIn`, content: body(2) },
    { url: `https://www.${slug}.com/careers`, title: `Careers at ${company}`, content: body(3) },
    {
      url: `https://en.wikipedia.org/wiki/${encodeURIComponent(company.replace(/ /g, "_"))}`,
      title: `${company} - Wikipedia`,
      content: body(4),
    },
    { url: `https://news.ycombinator.com/item?id=${(h % 9_000_000) + 30_000_000}`, title: `Show HN: ${company}`, content: body(5) },
  ];
}

function rawOf(page: FakePage): string {
  // Real raw pages run to tens of kilobytes; a repeated body gives the same pressure on the budget.
  return page.rawContent ?? `# ${page.title}\n\n${`${page.content}\n\n`.repeat(12)}`;
}

export function createFakeTavily(options: FakeTavilyOptions): FakeTavily {
  const knowledge = new Map<string, FakePage[]>();
  for (const [name, entry] of Object.entries(options.knowledge ?? {})) knowledge.set(companyId(name), entry.pages);
  const latencyOf = options.latencyMs ?? ((depth: SearchDepth) => (depth === "advanced" ? 3000 : 1500));
  const gate = createGate(options, () => ({
    requests: 0,
    searches: 0,
    creditsServed: 0,
    searchLatencyMsServed: 0,
    byCompany: {} as Record<string, number>,
    searchesByQuery: { first: 0, research: 0 },
    charges: [] as SearchCharge[],
  }));
  const errorLatency = gate.errorLatencyMs;
  const answer = gate.answer;
  const count = gate.counts;
  let firstQuery = new Map<string, string>();

  const detail = (status: number, error: string, headers: Record<string, string> = {}) =>
    answer(jsonReply(status, { detail: { error } }, errorLatency, headers));
  const rateLimited = (retryAfterSeconds: number) =>
    detail(429, "Your request has been blocked due to excessive requests. Please reduce rate of requests.", {
      "Retry-After": String(retryAfterSeconds),
    });

  function pagesFor(company: string): FakePage[] {
    const known = knowledge.get(companyId(company));
    if (known) return known;
    // A query without quotes may still contain a known name (e.g. the domain retry).
    for (const [name, pages] of knowledge) {
      if (mentions(company, name)) return pages;
    }
    const coverage = options.coverage?.(company) ?? "generate";
    if (coverage === "empty") return [];
    if (coverage === "unrelated") return [...UNRELATED_PAGES];
    // Two unrelated results among the real ones, as a real search returns: the engine must drop them.
    const pages = fakePages(company);
    return [...pages.slice(0, 3), UNRELATED_PAGES[0] as FakePage, ...pages.slice(3), UNRELATED_PAGES[1] as FakePage];
  }

  function search(request: ProviderRequest, body: SearchBody, company: string): ProviderReply {
    const depth: SearchDepth = body.search_depth ?? "basic";
    const credits = depth === "advanced" ? 2 : 1;
    if (options.planCredits !== undefined && count.creditsServed + credits > options.planCredits) {
      return detail(432, PLAN_LIMIT_TEXT);
    }
    const maxResults = body.max_results ?? 5;
    const withRaw = body.include_raw_content !== undefined && body.include_raw_content !== false;
    let pages = pagesFor(company);
    if (body.include_domains && body.include_domains.length > 0) {
      const allowed = body.include_domains.map((d) => d.toLowerCase());
      pages = pages.filter((p) => allowed.some((d) => new URL(p.url).hostname.endsWith(d)));
    }
    if (body.exclude_domains && body.exclude_domains.length > 0) {
      const banned = body.exclude_domains.map((d) => d.toLowerCase());
      pages = pages.filter((p) => !banned.some((d) => new URL(p.url).hostname.endsWith(d)));
    }
    const results: TavilyResult[] = pages.slice(0, maxResults).map((page, i) => ({
      url: page.url,
      title: page.title,
      content: page.content,
      score: Math.round((0.92 - i * 0.06) * 1e6) / 1e6,
      raw_content: withRaw ? rawOf(page) : null,
    }));
    const latencyMs = latencyOf(depth, request);
    count.searches++;
    count.creditsServed += credits;
    const id = companyId(company);
    const first = firstQuery.get(id) ?? body.query;
    firstQuery.set(id, first);
    if (first === body.query) count.searchesByQuery.first++;
    else count.searchesByQuery.research++;
    count.charges.push({ sentAt: request.sentAt, answeredAt: request.sentAt + latencyMs, amount: credits, research: first !== body.query });
    count.searchLatencyMsServed += latencyMs;
    const response: TavilySearchResponse = {
      query: body.query,
      follow_up_questions: null,
      answer: body.include_answer ? (results[0]?.content.slice(0, 200) ?? null) : null,
      images: [],
      results,
      response_time: Math.round(latencyMs / 10) / 100,
      ...(body.include_usage ? { usage: { credits } } : {}),
      request_id: fakeId("", count.requests, `tavily:${company}`).replace(/^(.{8})(.{4})(.{4})/, "$1-$2-$3-"),
    };
    return answer(jsonReply(200, response, latencyMs));
  }

  function handle(request: ProviderRequest): ProviderReply {
    count.requests++;
    const url = new URL(request.url);
    const isSearch = url.pathname === "/search" && request.method === "post";
    const isUsage = url.pathname === "/usage" && request.method === "get";
    if (!isSearch && !isUsage) return detail(404, "Not Found");

    let body: SearchBody | null = null;
    if (isSearch) {
      let json: unknown;
      try {
        json = JSON.parse(request.payload ?? "");
      } catch {
        return detail(400, "Invalid JSON in request body");
      }
      const parsed = SearchBody.safeParse(json);
      if (!parsed.success) return detail(400, `Invalid request: ${parsed.error.issues[0]?.message ?? "bad body"}`);
      body = parsed.data;
    }
    const company = body ? companyFromQuery(body.query) : null;
    if (company !== null) count.byCompany[company] = (count.byCompany[company] ?? 0) + 1;

    const key = bearerToken(request.headers) ?? body?.api_key;
    if (key !== options.apiKey) return detail(401, "Unauthorized: missing or invalid API key.");

    if (gate.limiter) {
      const admitted = gate.limiter.admit(request.sentAt);
      if (!admitted.ok) return rateLimited(admitted.retryAfterSeconds);
    }
    const injected = gate.fault({ request, company, requestIndex: count.requests });
    if (injected) {
      if (injected.kind === "outOfCredit") return detail(432, PLAN_LIMIT_TEXT);
      // Tavily has no tokens-per-minute limit: a request it finds too large is a plain 400.
      if (injected.kind === "tooLarge") return detail(400, "Query is too long. Max query length is 400 characters.");
      if (injected.status === 429) return rateLimited(injected.retryAfterSeconds);
      if (injected.status === 502) return gate.badGateway();
      return detail(injected.status, injected.status === 504 ? "Gateway Timeout" : "Internal Server Error");
    }

    if (body === null) {
      return answer(
        jsonReply(
          200,
          {
            key: { usage: count.creditsServed, limit: options.planCredits ?? null },
            account: { current_plan: "Fake", plan_usage: count.creditsServed, plan_limit: options.planCredits ?? null },
          },
          errorLatency,
        ),
      );
    }
    return search(request, body, company ?? "");
  }

  return gate.expose({ handle }, () => {
    firstQuery = new Map();
  });
}
