import { createHash, createHmac, randomUUID } from "node:crypto";
import { format } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { ScriptBlob, signedBytes, toBuffer } from "./blob";
import { signatureError, type Execution } from "./execution";

const MAX_SLEEP_MS = 300_000;
const DIGEST = { MD2: "MD2", MD5: "MD5", SHA_1: "SHA_1", SHA_256: "SHA_256", SHA_384: "SHA_384", SHA_512: "SHA_512" } as const;
const NODE_DIGEST: Record<string, string> = { MD5: "md5", SHA_1: "sha1", SHA_256: "sha256", SHA_384: "sha384", SHA_512: "sha512" };
const CHARSET = { UTF_8: "UTF-8", US_ASCII: "US-ASCII" } as const;

/**
 * The bytes Google hashes or signs for a string: US_ASCII unless a charset is given, every
 * character outside ASCII (a whole emoji included) becoming "?". gas-fakes test/testutilities.js,
 * "utilities digest" and "utilities hmac", recorded on Google: the default digest of "€🙂" is the
 * digest of "??", and "the default is ascii".
 */
function stringBytes(exec: Execution, method: string, args: unknown[], text: string, charset: unknown): Buffer {
  if (charset === undefined || charset === CHARSET.US_ASCII) {
    return Buffer.from(Array.from(text, (ch) => ((ch.codePointAt(0) ?? 0) < 128 ? ch : "?")).join(""), "latin1");
  }
  if (charset === CHARSET.UTF_8) return Buffer.from(text, "utf8");
  return signatureError(exec, method, args);
}

/**
 * Bytes of a value hashed or signed: a string in its charset, or a byte array (which takes no
 * charset), with Google's refusals of anything else (gas-fakes test/testutilities.js, the invalid
 * arguments of "utilities digest": "The parameters (...) don't match" and "Cannot convert ...").
 */
function signedInput(exec: Execution, method: string, args: unknown[], value: unknown, charset: unknown): Buffer {
  if (typeof value === "string") return stringBytes(exec, method, args, value, charset);
  if (!Array.isArray(value) || charset !== undefined) return signatureError(exec, method, args);
  const bad = value.find((b: unknown) => typeof b !== "number" || !Number.isFinite(b));
  if (bad !== undefined) return exec.fail(`Cannot convert ${String(bad)} to byte.`);
  return Buffer.from(value.map((b: number) => b & 0xff));
}

/** Utilities.formatDate for the patterns scripts commonly use (y M d H m s S and quoted literals). */
function formatDate(date: Date, timeZone: string, pattern: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const fields: Record<string, string> = {
    y: part("year"),
    M: part("month"),
    d: part("day"),
    H: part("hour"),
    m: part("minute"),
    s: part("second"),
    S: String(date.getUTCMilliseconds()).padStart(3, "0"),
  };
  return pattern.replace(/'([^']*)'|([yMdHmsS])\2*/g, (match: string, literal: string | undefined, letter: string | undefined) => {
    if (literal !== undefined) return literal;
    const value = fields[letter ?? ""] ?? match;
    return letter === "y" && match.length === 2 ? value.slice(-2) : value.padStart(match.length, "0");
  });
}

export function utilities(exec: Execution) {
  const signed = (data: Buffer) => exec.toScript(signedBytes(data));
  const blob = (data: unknown): Buffer => (data instanceof ScriptBlob ? data.data() : exec.fail("Invalid argument: blob"));
  return {
    Charset: CHARSET,
    DigestAlgorithm: DIGEST,
    /** A blob of text is text/plain unless told otherwise (gas-fakes test/testutilities.js, "utilities blob manipulation"). */
    newBlob(data: unknown, contentType?: unknown, name?: unknown) {
      const type =
        contentType === undefined || contentType === null ? (typeof data === "string" ? "text/plain" : null) : String(contentType);
      return new ScriptBlob(exec, Buffer.from(toBuffer(exec, data)), type, name === undefined || name === null ? null : String(name));
    },
    // Names as gas-fakes records them on Google (test/testutilities.js, "utilities gzipping"): an
    // unnamed gzip is "archive.gz", ungzip drops the ".gz" and gives no content type.
    gzip(data: unknown, name?: unknown) {
      return new ScriptBlob(exec, gzipSync(blob(data)), "application/x-gzip", name === undefined ? "archive.gz" : String(name));
    },
    ungzip(data: unknown) {
      const input = blob(data);
      const name = (data instanceof ScriptBlob ? data.getName() : null) ?? "archive.gz";
      try {
        return new ScriptBlob(exec, gunzipSync(input), null, name.replace(/\.gz$/, ""));
      } catch {
        return exec.fail("Could not decompress gzip.");
      }
    },
    base64Encode: (data: unknown, _charset?: unknown) => toBuffer(exec, data).toString("base64"),
    base64EncodeWebSafe: (data: unknown, _charset?: unknown) =>
      toBuffer(exec, data).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"),
    base64Decode: (encoded: unknown, _charset?: unknown) => signed(Buffer.from(String(encoded), "base64")),
    base64DecodeWebSafe: (encoded: unknown, _charset?: unknown) => signed(Buffer.from(String(encoded), "base64url")),
    computeDigest(...args: unknown[]) {
      const method = "Utilities.computeDigest";
      const [algorithm, value, charset] = args;
      if (args.length < 2 || args.length > 3 || typeof algorithm !== "string" || !(algorithm in DIGEST)) {
        return signatureError(exec, method, args);
      }
      const name = NODE_DIGEST[algorithm];
      if (!name) return exec.fail(`Invalid argument: algorithm`);
      return signed(
        createHash(name)
          .update(signedInput(exec, method, args, value, charset))
          .digest(),
      );
    },
    /** A string value and key, or two byte arrays (with no charset): never one of each. */
    computeHmacSha256Signature(...args: unknown[]) {
      const method = "Utilities.computeHmacSha256Signature";
      const [value, key, charset] = args;
      if (args.length < 2 || args.length > 3 || typeof value !== typeof key || Array.isArray(value) !== Array.isArray(key)) {
        return signatureError(exec, method, args);
      }
      const keyBytes = signedInput(exec, method, args, key, charset);
      return signed(
        createHmac("sha256", keyBytes)
          .update(signedInput(exec, method, args, value, charset))
          .digest(),
      );
    },
    /**
     * Sleeping is virtual time; it counts towards the execution's deadline. "The maximum allowed
     * value is 300000 (or 5 minutes)"
     * (https://developers.google.com/apps-script/reference/utilities/utilities#sleep(Integer)); Google
     * documents the limit but not its message, so this uses Apps Script's usual bad-argument form.
     */
    sleep(milliseconds: unknown) {
      const ms = Number(milliseconds);
      if (!(ms <= MAX_SLEEP_MS)) return exec.fail("Invalid argument: milliseconds");
      exec.advance(Math.max(0, ms || 0));
    },
    getUuid: () => randomUUID(),
    formatDate(date: unknown, timeZone: unknown, pattern: unknown) {
      if (Object.prototype.toString.call(date) !== "[object Date]") return exec.fail("Invalid argument: date");
      return formatDate(new Date(Number(date)), String(timeZone), String(pattern));
    },
    formatString: (template: unknown, ...args: unknown[]) => format(String(template), ...args),
  };
}
