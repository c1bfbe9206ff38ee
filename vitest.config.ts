import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default leaves one core free, which on a 2-core machine runs one file at a time.
    maxWorkers: Math.max(1, availableParallelism()),
    // Files share a worker's module cache instead of importing src/ afresh each (half a second per
    // file, 60 files). Module state in src/ is memoisation only (a built bundle, compiled patterns,
    // the HTTP thread); a test that changes globals or timers restores them in afterEach.
    isolate: false,
  },
});
