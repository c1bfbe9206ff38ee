// The platform limits (Apps Script quotas and providers' rate limits), in one place: the add-on plans around them and the local
// runtime enforces them.
export const LIMITS = {
  executionMs: 6 * 60_000,
  customFunctionMs: 30_000,
  simultaneousExecutions: 30,
  triggersPerUser: 20,
  cellChars: 50_000,
  propertyValueBytes: 9 * 1024,
  propertyStoreBytes: 500 * 1024,
  cacheValueBytes: 100 * 1024,
  cacheMaxExpirationSeconds: 6 * 60 * 60,
  cacheKeyChars: 250,
  scriptRunConcurrentCalls: 10,
  urlFetchesPerDayConsumer: 20_000,
  urlFetchesPerDayWorkspace: 100_000,
  triggerRuntimePerDayConsumerMs: 90 * 60_000,
  cellsPerSpreadsheet: 10_000_000,
} as const;
