// CONTRACT STUB — the research-engine helper implements these; the settings view relies on them.
import type { HttpRequest, HttpResponse } from "./types";
import type { Settings } from "./settings";

/** One cheap Tavily call that proves the key works. */
export declare function buildTavilyTestRequest(settings: Settings): HttpRequest;
/** GET <LLM_BASE_URL>/models: lists the models and proves the LLM key works. */
export declare function buildModelsRequest(settings: Settings): HttpRequest;
/** Model ids from a /models response, sorted; throws an Error with a user-facing message when the response is an error. */
export declare function parseModelsResponse(response: HttpResponse): string[];
/** A one-line, user-facing verdict on a test call ("Tavily key works", "LLM key rejected (401): …"); never contains a key. */
export declare function describeConnectionTest(service: "tavily" | "llm", response: HttpResponse): { ok: boolean; message: string };
