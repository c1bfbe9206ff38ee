import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CsvError, cellText, decodeCsvBytes, outputProblem, parseCsv, separatorOf, writeCsv } from "../../src/local/demo/csv";
import { runDemo } from "../../src/local/demo/run";

describe("parseCsv", () => {
  it("reads plain rows and ignores the final line break", () => {
    expect(parseCsv("company_name\nOpenAI\nAnthropic\n")).toEqual({
      rows: [["company_name"], ["OpenAI"], ["Anthropic"]],
      bom: false,
      separator: ",",
    });
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

describe("separators", () => {
  // What Excel writes with "CSV UTF-8" where the list separator is a semicolon (German, French,
  // Italian, Spanish, Dutch... locales): a byte-order mark, CRLF, decimal commas, and quotes only
  // around fields that hold a semicolon, a quote or a line break.
  const excelEurope =
    "\uFEFFFirma;Company;Umsatz (Mio. €);Notiz\r\n" +
    '1;Mistral AI;"1,5";"Paris; KI-Labor, sehr groß"\r\n' +
    "2;Aleph Alpha GmbH;0,4;\r\n" +
    '3;"Black Forest Labs; Freiburg";2,0;"sagt ""hallo"""\r\n';

  it("reads a semicolon-separated Excel export as columns, quoted fields holding either separator", () => {
    const parsed = parseCsv(excelEurope);
    expect(parsed.separator).toBe(";");
    expect(parsed.bom).toBe(true);
    expect(parsed.rows).toEqual([
      ["Firma", "Company", "Umsatz (Mio. €)", "Notiz"],
      ["1", "Mistral AI", "1,5", "Paris; KI-Labor, sehr groß"],
      ["2", "Aleph Alpha GmbH", "0,4", ""],
      ["3", "Black Forest Labs; Freiburg", "2,0", 'sagt "hallo"'],
    ]);
  });

  it("reads tab-separated text (a copy from a spreadsheet saved as .tsv)", () => {
    const parsed = parseCsv('Company\tWebsite\tNotes\nCohere\tcohere.com\t"a\tb, c; d"\nRunway\t\t\n');
    expect(parsed.separator).toBe("\t");
    expect(parsed.rows).toEqual([
      ["Company", "Website", "Notes"],
      ["Cohere", "cohere.com", "a\tb, c; d"],
      ["Runway", "", ""],
    ]);
  });

  it("keeps a comma file whose fields hold semicolons a comma file", () => {
    const parsed = parseCsv('Company,Notes\nAcme;Labs,"x; y"\nBeta,z;w\n');
    expect(parsed.separator).toBe(",");
    expect(parsed.rows[1]).toEqual(["Acme;Labs", "x; y"]);
  });

  it("chooses the separator the rows agree with when the header holds both", () => {
    expect(separatorOf("Company;Notes, misc\nAcme;x\nBeta;y\n")).toBe(";");
    expect(separatorOf("Company,Notes; misc\nAcme,x\nBeta,y\n")).toBe(",");
  });

  it("reads a one-column file with commas, and honours Excel's sep= line", () => {
    expect(parseCsv("Company\nOpenAI\n")).toMatchObject({ separator: ",", rows: [["Company"], ["OpenAI"]] });
    expect(parseCsv("sep=;\r\nCompany\r\nAcme, Inc\r\n")).toMatchObject({ separator: ";", rows: [["Company"], ["Acme, Inc"]] });
  });

  it("writes the result with the input's separator, quoting fields that hold it", () => {
    const rows = [
      ["Company", "Notes"],
      ["Mistral AI", "Paris; KI-Labor, sehr groß"],
    ];
    const text = writeCsv(rows, ";");
    expect(text).toBe('\uFEFFCompany;Notes\nMistral AI;"Paris; KI-Labor, sehr groß"\n');
    expect(parseCsv(text)).toMatchObject({ separator: ";", rows });
  });
});

describe("decodeCsvBytes", () => {
  it("decodes UTF-8 and keeps the byte-order mark for parseCsv", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("Company\nZürich AG\n")]);
    expect(parseCsv(decodeCsvBytes(bytes))).toEqual({ rows: [["Company"], ["Zürich AG"]], bom: true, separator: "," });
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
      ["Zürich AG", null, true],
    ];
    const text = writeCsv(rows);
    expect(text).toBe(
      '\uFEFFCompany,Score,Sources\n"Acme, Inc",87,"https://a.example/1\nhttps://b.example/2"\n"Say ""x""",," padded "\nZürich AG,,TRUE\n',
    );
    expect(parseCsv(text).rows).toEqual(rows.map((row) => row.map(cellText)));
  });

  it("neutralises text a spreadsheet program would run, and starts with a UTF-8 byte-order mark", () => {
    const cells = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tTab", "\rCR", "Яндекс", "株式会社", "a=b"];
    const file = Buffer.from(writeCsv([["Company"], ...cells.map((c) => [c]), [-5]]), "utf8");
    // The bytes of the file: EF BB BF first, then no line that a spreadsheet would take for a formula.
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = parseCsv(file.toString("utf8"))
      .rows.slice(1)
      .map((r) => r[0] ?? "");
    expect(lines).toEqual([
      '\'=HYPERLINK("http://x","y")',
      "'+cmd|' /C calc'!A0",
      "'-2+3",
      "'@SUM(A1:A2)",
      "'\tTab",
      "'\rCR",
      "Яндекс",
      "株式会社",
      "a=b",
      // A number stays a number.
      "-5",
    ]);
    for (const line of lines.slice(0, 6)) expect(line).toMatch(/^'/);
  });

  it("writes only the byte-order mark for no rows", () => {
    expect(writeCsv([])).toBe("\uFEFF");
  });
});

describe("outputProblem", () => {
  it("accepts a new file in a writable folder and refuses a missing folder or a folder as the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "csv-out-"));
    expect(outputProblem(join(dir, "result.csv"))).toBeNull();
    expect(outputProblem(join(dir, "missing", "result.csv"))).toMatch(/does not exist/);
    expect(outputProblem(dir)).toMatch(/is a folder/);
  });

  it("makes the demo refuse a bad --out before it starts the run", () => {
    const dir = mkdtempSync(join(tmpdir(), "csv-out-"));
    const input = join(dir, "list.csv");
    writeFileSync(input, "Company\nOpenAI\n");
    const said: string[] = [];
    const io = { out: (t: string) => said.push(t), err: (t: string) => said.push(t), isTTY: false, columns: 100, cwd: dir };
    const env = { TAVILY_API_KEY: "tvly-live-0000", LLM_API_KEY: "llm-live-0000" };
    const code = runDemo([input, "--out", join(dir, "nowhere", "result.csv")], { ...io, env });
    expect(code).toBe(2);
    expect(said.join("")).toMatch(
      /cannot write the result to nowhere\/result\.csv: the folder .* does not exist\. Choose another place with --out\./,
    );
    // Nothing was started: no progress line, no state file.
    expect(said.join("")).not.toMatch(/Queued|\[#/);
    expect(readdirSync(dir)).toEqual(["list.csv"]);
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
