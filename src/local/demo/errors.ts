/** A failure the user can act on: one line saying what to do, and the exit code. */
export class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
