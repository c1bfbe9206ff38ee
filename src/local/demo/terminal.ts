// The demo's question on the terminal. The run it confirms is synchronous (the runtime's executions
// block the process), so the answer is read synchronously too.
import { readSync } from "node:fs";

/**
 * One line from a file descriptor, without its line end; end of input (Ctrl-D) ends the line, so
 * an empty input is an empty answer.
 */
export function readLine(fd: number): string {
  const bytes: number[] = [];
  const byte = Buffer.alloc(1);
  for (;;) {
    let read: number;
    try {
      read = readSync(fd, byte, 0, 1, null);
    } catch (error) {
      // A terminal left non-blocking by another program answers EAGAIN until a key is pressed.
      if (error instanceof Error && "code" in error && error.code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      throw error;
    }
    if (read === 0 || byte[0] === 0x0a) break;
    bytes.push(byte[0] ?? 0);
  }
  return Buffer.from(bytes).toString("utf8").replace(/\r$/, "");
}
