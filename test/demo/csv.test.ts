import { describe, expect, it } from "vitest";
import { CsvError, cellText, decodeCsvBytes, parseCsv, writeCsv } from "../../src/local/demo/csv";

describe("parseCsv", () => {
  it("reads plain rows and ignores the final line break", () => {
    expect(parseCsv("company_name\nOpenAI\nAnthropic\n")).toEqual({ rows: [["company_name"], ["OpenAI"], ["Anthropic"]], bom: false });
  });

  it("handles quotes, doubled quotes, commas and line breaks inside fields", () => {
    const text = 'Company,Notes\n"Acme, Inc","said ""hi""\nand left"\n"",x\n';
    expect(parseCsv(text).rows).toEqual([
      ["Company", "Notes"],
      ["Acme, Inc", 'said "hi"\nand left'],
      ["", "x"],
    ]);
  });

  it("accepts CRLF, lone CR and a missing final line break", () => {
    expect(parseCsv("a,b\r\n1,2\r3,4").rows).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
  });

  it("strips and reports a byte-order mark", () => {
    const parsed = parseCsv("\uFEFFCompany\nMistral AI\n");
    expect(parsed.bom).toBe(true);
    expect(parsed.rows[0]).toEqual(["Company"]);
  });

  it("keeps empty fields, pads short rows and drops trailing blank lines", () => {
    expect(parseCsv("a,b,c\n1,,\n2\n\n\n").rows).toEqual([
      ["a", "b", "c"],
      ["1", "", ""],
      ["2", "", ""],
    ]);
  });

  it("keeps blank lines inside the table as empty rows", () => {
    expect(parseCsv("Company\nA\n\nB\n").rows).toEqual([["Company"], ["A"], [""], ["B"]]);
  });

  it("keeps a lone quote inside an unquoted field as text", () => {
    expect(parseCsv('Company\n5" Screens\n').rows[1]).toEqual(['5" Screens']);
  });

  it("returns no rows for an empty file", () => {
    expect(parseCsv("").rows).toEqual([]);
    expect(parseCsv("\n\n").rows).toEqual([]);
  });

  it("rejects an unterminated quoted field with its line number", () => {
    expect(() => parseCsv('Company\nA\n"B,\nC\n')).toThrow(new CsvError("a quoted field that starts on line 3 is never closed"));
  });

  it("rejects text after a closing quote", () => {
    expect(() => parseCsv('Company\n"A"B\n')).toThrow(/after a closing quote on line 2/);
  });
});

describe("decodeCsvBytes", () => {
  it("decodes UTF-8 and keeps the byte-order mark for parseCsv", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("Company\nZürich AG\n")]);
    expect(parseCsv(decodeCsvBytes(bytes))).toEqual({ rows: [["Company"], ["Zürich AG"]], bom: true });
  });

  it("refuses bytes that are not UTF-8 text", () => {
    expect(() => decodeCsvBytes(new Uint8Array([0x43, 0xff, 0xfe, 0x41]))).toThrow(CsvError);
    expect(() => decodeCsvBytes(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toThrow(/binary/);
  });
});

describe("writeCsv", () => {
  it("quotes only what needs quoting and round-trips through parseCsv", () => {
    const rows = [
      ["Company", "Score", "Sources"],
      ["Acme, Inc", 87, "https://a.example/1\nhttps://b.example/2"],
      ['Say "x"', "", " padded "],
      ["=1+1", null, true],
    ];
    const text = writeCsv(rows);
    expect(text).toBe(
      'Company,Score,Sources\n"Acme, Inc",87,"https://a.example/1\nhttps://b.example/2"\n"Say ""x""",," padded "\n=1+1,,TRUE\n',
    );
    expect(parseCsv(text).rows).toEqual(rows.map((row) => row.map(cellText)));
  });

  it("writes a byte-order mark when asked", () => {
    expect(writeCsv([["a"]], { bom: true })).toBe("\uFEFFa\n");
  });

  it("writes nothing for no rows", () => {
    expect(writeCsv([])).toBe("");
  });
});

describe("cellText", () => {
  it("renders sheet values as Sheets exports them", () => {
    expect(cellText(12.5)).toBe("12.5");
    expect(cellText(false)).toBe("FALSE");
    expect(cellText(undefined)).toBe("");
    expect(cellText(new Date(Date.UTC(2025, 0, 2)))).toBe("2025-01-02T00:00:00.000Z");
  });
});
