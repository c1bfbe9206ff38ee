// Fake Tavily and LLM providers for tests, the demo and the bench (Node-only, never bundled).
export { createFakeTavily, companyFromQuery, fakePages, TAVILY_ORIGIN } from "./tavily";
export type {
  FakeTavily,
  FakeTavilyOptions,
  SearchCharge,
  FakePage,
  Coverage,
  SearchDepth,
  TavilySearchResponse,
  TavilyResult,
} from "./tavily";
export { createFakeLlm, notAboutVerdict, parsePrompt } from "./llm";
export type { FakeLlm, FakeLlmOptions, LlmVerdict, Malformation, MalformedContext } from "./llm";
export { createProviderRouter } from "./router";
export type { ProviderRouterOptions } from "./router";
export { createPrng, hashString, companyId, mentions, SlidingWindowLimiter, createFaultInjector, DEFAULT_FAULT_KINDS } from "./common";
export type { Charge, ProviderHandler, ProviderReply, ProviderRequest, Fault, FaultOption, FaultKind, FaultContext } from "./common";
export { companyTraits, companySlug } from "./traits";
export type { CompanyTraits, UseCaseClass } from "./traits";
