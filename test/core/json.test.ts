import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as zm from "zod/mini";
import { parseStoredJson } from "../../src/core/json";

describe("parseStoredJson", () => {
  const full = z.object({ n: z.number() });
  const mini = zm.object({ n: zm.number() });
  it("reads a stored value with a zod or a zod/mini schema", () => {
    expect(parseStoredJson('{"n":1}', full)).toEqual({ n: 1 });
    expect(parseStoredJson('{"n":1}', mini)).toEqual({ n: 1 });
  });
  it("is null when the value is absent, not JSON, or not the schema's shape", () => {
    for (const raw of [null, undefined, "", "{n:1", '{"n":"1"}']) {
      expect(parseStoredJson(raw, full)).toBeNull();
      expect(parseStoredJson(raw, mini)).toBeNull();
    }
  });
});
