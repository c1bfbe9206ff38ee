// Output files appear whole or not at all: a run that fails half-way never leaves a truncated CSV
// or state file behind, and a reader never sees a file being written.
import { renameSync, rmSync, writeFileSync } from "node:fs";

export function writeFileAtomic(path: string, content: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
