// The core's modules import each other without a cycle, type-only imports included: each file can
// be read, and changed, knowing only the files below it.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CORE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "core");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The core files a file imports or re-exports from, by absolute path. */
function coreImports(file: string, text: string = readFileSync(file, "utf8")): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gms),
    ...text.matchAll(/^\s*import\s+"(\.[^"]+)"/gm),
  ];
  return specifiers.map((m) => resolve(dirname(file), `${m[1] ?? ""}.ts`));
}

/** One import cycle among the files, as the paths around it, or null when there is none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (file: string): string[] | null => {
    if (onPath.has(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file)) return null;
    path.push(file);
    onPath.add(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(file);
    done.add(file);
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

describe("src/core imports", () => {
  it("form no cycle", () => {
    const graph = new Map(sourceFiles(CORE).map((file) => [file, coreImports(file)]));
    expect(graph.size).toBeGreaterThan(20);
    const cycle = findCycle(graph);
    expect(cycle?.map((file) => relative(CORE, file)).join(" -> ") ?? null).toBeNull();
  });

  it("finds a cycle through type-only imports and re-exports", () => {
    const a = join(CORE, "a.ts");
    const b = join(CORE, "b.ts");
    const c = join(CORE, "c.ts");
    const graph = new Map([
      [a, coreImports(a, 'import { x } from "./b";\nimport "./zod-english";')],
      [b, coreImports(b, 'import type {\n  Y,\n} from "./c";')],
      [c, coreImports(c, 'export { z } from "./a";')],
    ]);
    expect(findCycle(graph)?.map((file) => relative(CORE, file))).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
    expect(findCycle(new Map([...graph].slice(0, 2)))).toBeNull();
  });
});
