// The bench's and the soak's runtime: the built add-on (dist/) in the local Apps Script runtime,
// talking to in-process fake providers.
import type { ProviderHandler } from "../providers";
import { LocalRuntime, loadBuiltAddon } from "../runtime";
import type { MakeRuntime } from "./setup";

let built: ReturnType<typeof loadBuiltAddon> | null = null;

export function makeLocalRuntime(handler: ProviderHandler): LocalRuntime {
  // Read dist/ once per process: every scenario runs the same build.
  built ??= loadBuiltAddon();
  return new LocalRuntime({ code: built.code, htmlFiles: built.htmlFiles, fetch: { kind: "handler", handler } });
}

/** Runtimes running another bundle (an earlier build, to compare with). */
export function runtimeFor(code: string): MakeRuntime {
  return (handler) => new LocalRuntime({ code, fetch: { kind: "handler", handler } });
}
