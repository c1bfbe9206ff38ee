// Utilities and Blob as Apps Script behaves live, re-expressed from the peer project gas-fakes, whose
// test suite runs against Google as well as its own fake (github.com/brucemcpherson/gas-fakes,
// test/testutilities.js). Each block names the gas-fakes section it comes from; the expected bytes
// are the ones gas-fakes recorded on Google. Soft assertions: every one is checked and reported.
import { describe, expect, it } from "vitest";
import { LocalRuntime } from "../../src/local/runtime";

function run(code: string, fn: string, args: unknown[] = []): unknown {
  const result = new LocalRuntime({ code }).run(fn, args);
  if (result.error) throw new Error(result.error);
  return result.value;
}

// gas-fakes test/testutilities.js, "utilities digest": the digests Google returned.
const DIGESTS = {
  "input to hash": {
    MD5: [-16, -20, -112, 64, -50, -47, -118, 102, -113, 70, -112, 94, -34, -49, 117, -103],
    SHA_1: [-94, -96, 117, 87, 84, -100, -66, 98, -21, -116, 87, 55, 93, -82, -11, -73, 79, 108, -115, 95],
    SHA_256: [
      54, -72, -70, -64, 23, 78, -86, 57, -77, -65, 45, 3, -95, 47, -122, 55, -91, 107, -91, 39, -55, 20, -87, -65, -17, 29, 111, 118, -120,
      -69, 93, -93,
    ],
  },
  "€🙂 UTF_8": {
    MD5: [-71, 89, 42, -99, 35, -63, -51, -82, 83, 46, 87, -53, -35, -67, 116, -6],
    SHA_1: [-19, -37, -55, -43, 37, 16, -31, 77, 89, 112, 42, 90, -115, 10, -113, -31, 50, -76, 60, -125],
    SHA_256: [
      -88, 113, -56, 11, 33, 65, -120, -22, 68, -108, -12, 96, 79, 31, 50, 2, 75, 2, -11, -5, 66, 40, -63, 3, -102, 83, 87, -120, 26, 19,
      -18, -69,
    ],
  },
  "€🙂 US_ASCII": {
    MD5: [-22, 3, -4, -72, -60, 120, 34, -68, -25, 114, -49, 108, 7, -48, -21, -69],
    SHA_1: [22, -56, -8, -84, 123, 87, -67, 91, 88, -76, 19, 39, 34, -114, 63, -94, 18, 1, -37, 104],
    SHA_256: [
      -30, 112, -82, -77, 71, -14, 22, 85, 116, -61, -91, -59, -65, 17, -48, 56, -68, -45, -84, -43, -85, -3, -75, -82, -118, 27, 82, -39,
      28, -72, 66, -16,
    ],
  },
} as const;

const ALGORITHMS = ["MD5", "SHA_1", "SHA_256"] as const;

describe("gas-fakes utilities digest", () => {
  const code = `
    function digest(algorithm, text, charset) {
      const a = Utilities.DigestAlgorithm[algorithm];
      return charset ? Utilities.computeDigest(a, text, Utilities.Charset[charset]) : Utilities.computeDigest(a, text);
    }
    function digestOfBytes(algorithm, text) {
      return Utilities.computeDigest(Utilities.DigestAlgorithm[algorithm], Utilities.newBlob(text).getBytes());
    }
    function refused(call) {
      const calls = {
        tooMany: () => Utilities.computeDigest(Utilities.DigestAlgorithm.MD5, "x", Utilities.Charset.US_ASCII, 4),
        tooFew: () => Utilities.computeDigest("input to hash"),
        bytesWithCharset: () => Utilities.computeDigest(Utilities.DigestAlgorithm.MD5, [0, 1, 2], Utilities.Charset.UTF_8),
        fakeCharset: () => Utilities.computeDigest(Utilities.DigestAlgorithm.MD5, "x", "fake"),
        fakeAlgorithm: () => Utilities.computeDigest("fake", "x", Utilities.Charset.US_ASCII),
        badBytes: () => Utilities.computeDigest(Utilities.DigestAlgorithm.MD5, ["1bad", "2bad"]),
      };
      try { calls[call](); return "no error"; } catch (e) { return e.message; }
    }`;

  it("hashes a string with the charset given, and ASCII text the same in both", () => {
    for (const algorithm of ALGORITHMS) {
      for (const charset of ["UTF_8", "US_ASCII"]) {
        expect.soft(run(code, "digest", [algorithm, "input to hash", charset])).toEqual(DIGESTS["input to hash"][algorithm]);
      }
      expect.soft(run(code, "digest", [algorithm, "€🙂", "UTF_8"])).toEqual(DIGESTS["€🙂 UTF_8"][algorithm]);
      expect.soft(run(code, "digest", [algorithm, "€🙂", "US_ASCII"])).toEqual(DIGESTS["€🙂 US_ASCII"][algorithm]);
    }
  });

  it("hashes a string as US_ASCII when no charset is given: every non-Latin character becomes '?'", () => {
    for (const algorithm of ALGORITHMS) {
      expect.soft(run(code, "digest", [algorithm, "input to hash"])).toEqual(DIGESTS["input to hash"][algorithm]);
      expect.soft(run(code, "digest", [algorithm, "€🙂"])).toEqual(DIGESTS["€🙂 US_ASCII"][algorithm]);
    }
    // So two names of one length in another script share a digest.
    expect.soft(run(code, "digest", ["SHA_256", "Сбербанк"])).toEqual(run(code, "digest", ["SHA_256", "Тинькофф"]));
    expect.soft(run(code, "digest", ["SHA_256", "Сбербанк", "UTF_8"])).not.toEqual(run(code, "digest", ["SHA_256", "Тинькофф", "UTF_8"]));
  });

  it("hashes a blob's bytes as they are (UTF-8 for a blob made from text)", () => {
    for (const algorithm of ALGORITHMS) {
      expect.soft(run(code, "digestOfBytes", [algorithm, "input to hash"])).toEqual(DIGESTS["input to hash"][algorithm]);
      expect.soft(run(code, "digestOfBytes", [algorithm, "€🙂"])).toEqual(DIGESTS["€🙂 UTF_8"][algorithm]);
    }
  });

  it("refuses arguments that fit no signature", () => {
    for (const call of ["tooMany", "tooFew", "bytesWithCharset", "fakeCharset", "fakeAlgorithm"]) {
      expect.soft(run(code, "refused", [call])).toMatch(/The parameters \(.*\) don't match/);
    }
    expect.soft(run(code, "refused", ["badBytes"])).toMatch(/^Cannot convert /);
  });
});

describe("gas-fakes utilities hmac", () => {
  // gas-fakes test/testutilities.js, "utilities hmac": Google's signatures.
  const plain = [
    53, -75, -52, -25, -47, 86, -21, 14, -2, -57, 5, -13, 24, 105, -2, -84, 127, 115, -40, -75, -93, -27, -21, 34, -55, -117, -36, -103,
    -47, 116, -55, -61,
  ];
  const specialUtf8 = [
    76, -16, 35, 99, -128, 106, -22, -17, -102, -19, 4, 97, -75, 64, 107, 79, 99, 19, -54, -6, 90, 54, 121, -39, -126, 13, 2, -40, -84, 109,
    -2, 115,
  ];
  const specialAscii = [
    -125, 73, -127, -128, -43, -39, 99, -10, 39, -49, -128, 27, 8, -117, 4, -120, -26, -111, 16, 114, -115, 1, -1, -68, -27, 88, 7, 117, 55,
    -87, -123, -52,
  ];
  const code = `
    function sign(value, key, charset) {
      return charset ? Utilities.computeHmacSha256Signature(value, key, Utilities.Charset[charset]) : Utilities.computeHmacSha256Signature(value, key);
    }
    function signBytes(value, key) {
      return Utilities.computeHmacSha256Signature(Utilities.newBlob(value).getBytes(), Utilities.newBlob(key).getBytes());
    }
    function mixed() {
      try { Utilities.computeHmacSha256Signature(Utilities.newBlob("v").getBytes(), "key"); return "no error"; } catch (e) { return e.message; }
    }`;

  it("signs ASCII text alike as bytes, UTF-8, US_ASCII or by default", () => {
    expect.soft(run(code, "signBytes", ["this is my input", "my key - use a stronger one"])).toEqual(plain);
    for (const charset of ["UTF_8", "US_ASCII", undefined]) {
      expect.soft(run(code, "sign", ["this is my input", "my key - use a stronger one", charset])).toEqual(plain);
    }
  });

  it("signs non-ASCII text as US_ASCII by default", () => {
    expect.soft(run(code, "sign", ["café", "€🙂", "UTF_8"])).toEqual(specialUtf8);
    expect.soft(run(code, "sign", ["café", "€🙂", "US_ASCII"])).toEqual(specialAscii);
    expect.soft(run(code, "sign", ["café", "€🙂"])).toEqual(specialAscii);
    expect.soft(run(code, "mixed")).toMatch(/The parameters \(.*\) don't match/);
  });
});

describe("gas-fakes utilities base64, gzip and blobs", () => {
  it("encodes base64 alike from a blob's bytes or its text, and decodes web-safe text either way", () => {
    // "utilities base64 encoding"
    const value = run(
      `function b64() {
        const text = "foo is not bar";
        const bytes = Utilities.newBlob(text).getBytes();
        const trouble = text + "+/=";
        const safe = Utilities.base64EncodeWebSafe(trouble);
        return {
          same: Utilities.base64Encode(bytes) === Utilities.base64Encode(text),
          sameSafe: Utilities.base64EncodeWebSafe(bytes) === Utilities.base64EncodeWebSafe(text),
          back: Utilities.newBlob(Utilities.base64Decode(Utilities.base64Encode(bytes))).getDataAsString(),
          safeBack: Utilities.newBlob(Utilities.base64DecodeWebSafe(safe)).getDataAsString(),
          safeByPlain: Utilities.newBlob(Utilities.base64Decode(safe)).getDataAsString(),
        };
      }`,
      "b64",
    );
    expect
      .soft(value)
      .toEqual({ same: true, sameSafe: true, back: "foo is not bar", safeBack: "foo is not bar+/=", safeByPlain: "foo is not bar+/=" });
  });

  it("names and types gzip blobs as Google does", () => {
    // "utilities gzipping"
    const value = run(
      `function gz() {
        const blob = Utilities.newBlob("foo is not bar");
        const zipped = Utilities.gzip(blob);
        const unzipped = Utilities.ungzip(zipped);
        const named = Utilities.ungzip(Utilities.gzip(blob, "named"));
        return [zipped.getContentType(), zipped.getName(), unzipped.getDataAsString(), unzipped.getContentType(), unzipped.getName(),
                named.getName(), typeof Utilities.getUuid() === "string" && Utilities.getUuid().length > 0];
      }`,
      "gz",
    );
    expect.soft(value).toEqual(["application/x-gzip", "archive.gz", "foo is not bar", null, "archive", "named", true]);
  });

  it("gives a blob of text the type text/plain and no name, and keeps a type and name given", () => {
    // "utilities blob manipulation"
    const value = run(
      `function blobs() {
        const blob = Utilities.newBlob("foo is not bar");
        const bytes = blob.getBytes();
        const named = Utilities.newBlob(bytes, "text/plain", "foo.txt");
        const copy = blob.copyBlob().setName("foo.txt");
        const reversed = bytes.slice().reverse();
        return [blob.getName(), blob.getContentType(), blob.getDataAsString(), named.getName(), named.getContentType(),
                named.getDataAsString(), JSON.stringify(named.getBytes()) === JSON.stringify(bytes), copy.getName(),
                JSON.stringify(copy.setBytes(reversed).getBytes()) === JSON.stringify(reversed),
                copy.setDataFromString("foo is not bar").getDataAsString(), copy.isGoogleType()];
      }`,
      "blobs",
    );
    expect
      .soft(value)
      .toEqual([
        null,
        "text/plain",
        "foo is not bar",
        "foo.txt",
        "text/plain",
        "foo is not bar",
        true,
        "foo.txt",
        true,
        "foo is not bar",
        false,
      ]);
  });

  it("formats a date in the time zone given", () => {
    // "utilities extra"
    expect
      .soft(
        run(
          `function fmt() { return Utilities.formatDate(new Date(Date.UTC(2023, 0, 1, 12, 0, 0)), "GMT", "yyyy-MM-dd HH:mm:ss"); }`,
          "fmt",
        ),
      )
      .toBe("2023-01-01 12:00:00");
  });
});
