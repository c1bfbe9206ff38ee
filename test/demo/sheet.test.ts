import { describe, expect, it } from "vitest";
import { columnLetters, countCompanies, dataRange, findCompanyColumn, foldHeader, rowRanges } from "../../src/local/demo/sheet";

describe("findCompanyColumn", () => {
  it.each([
    [["Website", "company_name"], 1],
    [["ID", "Company Name"], 1],
    [["x", "COMPANY"], 1],
    [["Organization", "Name"], 0],
    [["Name", "Title", "Company"], 2],
    [["Account Owner", "Account Name"], 1],
    [["Notes", "  account "], 1],
    [["Org", "name"], 1],
  ])("finds the company column of %j", (header, index) => {
    expect(findCompanyColumn(header)).toMatchObject({ index, byHeader: true });
  });

  it("falls back to the leftmost column", () => {
    expect(findCompanyColumn(["Firm", "Company size"])).toEqual({ index: 0, header: "Firm", byHeader: false });
  });

  it("folds case, spaces and underscores only", () => {
    expect(foldHeader("Company_ Name")).toBe("companyname");
    expect(foldHeader("Company-Name")).toBe("company-name");
  });
});

describe("ranges", () => {
  it("names columns as A1 notation does", () => {
    expect([1, 26, 27, 52, 703].map(columnLetters)).toEqual(["A", "Z", "AA", "AZ", "AAA"]);
  });

  it("selects every data row across all columns", () => {
    expect(dataRange(11, 1)).toBe("A2:A11");
    expect(dataRange(3, 28)).toBe("A2:AB3");
  });

  it("selects chosen rows across the columns, one range per run of consecutive rows", () => {
    expect(rowRanges([2, 3, 5, 6, 7, 10], 3)).toEqual(["A2:C3", "A5:C7", "A10:C10"]);
    expect(rowRanges([2, 3, 5], 2, 2)).toEqual(["B2:B3", "B5:B5"]);
    expect(rowRanges([], 3)).toEqual([]);
  });

  it("counts rows with a company", () => {
    expect(countCompanies([["Company"], ["A"], [" "], ["B"]], 0)).toBe(2);
  });
});
