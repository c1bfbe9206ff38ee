// The browser tests need Chromium. Without it they are skipped and this one check fails, saying
// what to install, instead of every browser test file failing on its own.
import { describe, expect, it } from "vitest";
import { chromiumProblem } from "./harness";

describe("Chromium for the browser tests", () => {
  it("is installed where the tests look for it", () => {
    const problem = chromiumProblem();
    if (problem) throw new Error(problem);
    expect(problem).toBeNull();
  });

  it("names the package to install when it is missing", () => {
    const problem = chromiumProblem("/nonexistent/chromium");
    expect(problem).toContain("/nonexistent/chromium");
    expect(problem).toContain("sudo apt-get install chromium");
    expect(problem).toContain("CHROMIUM_PATH");
  });
});
