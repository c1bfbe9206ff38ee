/** Plain counters of what scripts asked of the services, so tests can assert batching and quotas. */
export interface StatsSnapshot {
  rangeReads: number;
  rangeWrites: number;
  rangeCalls: number;
  /** Cells carried by range reads and writes (a setter of one value for a range carries none). */
  cellsRead: number;
  cellsWritten: number;
  urlFetch: { fetch: number; fetchAll: number; requests: number; byHost: Record<string, number> };
  executions: number;
  triggerRuntimeMs: number;
  propertyReads: number;
  propertyWrites: number;
  cacheCalls: number;
  /** Service calls by method name, for the calls whose model names its method. */
  rangeCallsByMethod: Record<string, number>;
}

export class RuntimeStats implements StatsSnapshot {
  rangeReads = 0;
  rangeWrites = 0;
  cellsRead = 0;
  cellsWritten = 0;
  urlFetch = { fetch: 0, fetchAll: 0, requests: 0, byHost: {} as Record<string, number> };
  executions = 0;
  triggerRuntimeMs = 0;
  propertyReads = 0;
  propertyWrites = 0;
  cacheCalls = 0;
  rangeCallsByMethod: Record<string, number> = {};
  /** Counters of each finished execution, oldest first (cleared by reset()). */
  perExecution: StatsSnapshot[] = [];

  get rangeCalls(): number {
    return this.rangeReads + this.rangeWrites;
  }

  reset(): void {
    this.rangeReads = 0;
    this.rangeWrites = 0;
    this.cellsRead = 0;
    this.cellsWritten = 0;
    this.urlFetch = { fetch: 0, fetchAll: 0, requests: 0, byHost: {} };
    this.executions = 0;
    this.triggerRuntimeMs = 0;
    this.propertyReads = 0;
    this.propertyWrites = 0;
    this.cacheCalls = 0;
    this.rangeCallsByMethod = {};
    this.perExecution = [];
  }

  snapshot(): StatsSnapshot {
    return {
      rangeReads: this.rangeReads,
      rangeWrites: this.rangeWrites,
      rangeCalls: this.rangeCalls,
      cellsRead: this.cellsRead,
      cellsWritten: this.cellsWritten,
      urlFetch: { ...this.urlFetch, byHost: { ...this.urlFetch.byHost } },
      executions: this.executions,
      triggerRuntimeMs: this.triggerRuntimeMs,
      propertyReads: this.propertyReads,
      propertyWrites: this.propertyWrites,
      cacheCalls: this.cacheCalls,
      rangeCallsByMethod: { ...this.rangeCallsByMethod },
    };
  }

  countMethod(method: string): void {
    this.rangeCallsByMethod[method] = (this.rangeCallsByMethod[method] ?? 0) + 1;
  }

  countRequest(url: string): void {
    this.urlFetch.requests += 1;
    const host = hostOf(url);
    this.urlFetch.byHost[host] = (this.urlFetch.byHost[host] ?? 0) + 1;
  }
}

function countsDelta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) {
    const d = n - (before[key] ?? 0);
    if (d !== 0) delta[key] = d;
  }
  return delta;
}

/** What changed between two snapshots. */
export function statsDelta(after: StatsSnapshot, before: StatsSnapshot): StatsSnapshot {
  const byHost = countsDelta(after.urlFetch.byHost, before.urlFetch.byHost);
  return {
    rangeReads: after.rangeReads - before.rangeReads,
    rangeWrites: after.rangeWrites - before.rangeWrites,
    rangeCalls: after.rangeCalls - before.rangeCalls,
    cellsRead: after.cellsRead - before.cellsRead,
    cellsWritten: after.cellsWritten - before.cellsWritten,
    urlFetch: {
      fetch: after.urlFetch.fetch - before.urlFetch.fetch,
      fetchAll: after.urlFetch.fetchAll - before.urlFetch.fetchAll,
      requests: after.urlFetch.requests - before.urlFetch.requests,
      byHost,
    },
    executions: after.executions - before.executions,
    triggerRuntimeMs: after.triggerRuntimeMs - before.triggerRuntimeMs,
    propertyReads: after.propertyReads - before.propertyReads,
    propertyWrites: after.propertyWrites - before.propertyWrites,
    cacheCalls: after.cacheCalls - before.cacheCalls,
    rangeCallsByMethod: countsDelta(after.rangeCallsByMethod, before.rangeCallsByMethod),
  };
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
