import { describe, expect, it } from "vitest";
import { CALL_COST_IN_CELLS, changedColumns, coveringSpans } from "../../../src/core/run/changed-cells";

describe("changedColumns", () => {
  it("names the columns whose value changes, a missing cell counting as blank", () => {
    expect(changedColumns(["k", "a", 1, ""], ["k", "b", 1, "", ""])).toEqual([2]);
    expect(changedColumns([], ["k", "", 0, "x"])).toEqual([1, 3, 4]);
  });

  it("names every column when what the row holds is unknown", () => {
    expect(changedColumns(null, ["k", "", ""])).toEqual([1, 2, 3]);
  });

  it("tells a number from the same digits as text", () => {
    expect(changedColumns(["1"], [1])).toEqual([1]);
  });
});

describe("coveringSpans", () => {
  it("covers runs of numbers, joining two when the cells between them cost less than another call", () => {
    expect(coveringSpans([1, 2, 3, 5, 9, 10], 1, 3)).toEqual([
      [1, 5],
      [9, 2],
    ]);
    expect(coveringSpans([1, 2, 3, 5, 9, 10], 1, 1)).toEqual([
      [1, 3],
      [5, 1],
      [9, 2],
    ]);
  });

  it("writes one unchanged column over many rows apart and over a few rows in the same call", () => {
    // A cache row's key..credits, then its evidence cells, with one blank column (the domain) between.
    const columns = [1, 2, 3, 5, 6, 7, 8, 16, 17];
    expect(coveringSpans(columns, 400, CALL_COST_IN_CELLS.write)).toEqual([
      [1, 3],
      [5, 4],
      [16, 2],
    ]);
    expect(coveringSpans(columns, 10, CALL_COST_IN_CELLS.write)).toEqual([[1, 17]]);
  });

  it("covers nothing for no numbers, whatever their order and repeats", () => {
    expect(coveringSpans([], 1, 1)).toEqual([]);
    expect(coveringSpans([4, 2, 3, 2], 1, 1)).toEqual([[2, 3]]);
  });
});
