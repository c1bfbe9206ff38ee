import { createHash, createHmac, randomUUID } from "node:crypto";
import { format } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { ScriptBlob, signedBytes, toBuffer } from "./blob";
import type { Execution } from "./execution";

const MAX_SLEEP_MS = 300_000;
const DIGEST = { MD2: "MD2", MD5: "MD5", SHA_1: "SHA_1", SHA_256: "SHA_256", SHA_384: "SHA_384", SHA_512: "SHA_512" } as const;
const NODE_DIGEST: Record<string, string> = { MD5: "md5", SHA_1: "sha1", SHA_256: "sha256", SHA_384: "sha384", SHA_512: "sha512" };

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
    Charset: { UTF_8: "UTF-8", US_ASCII: "US-ASCII" },
    DigestAlgorithm: DIGEST,
    newBlob(data: unknown, contentType?: unknown, name?: unknown) {
      return new ScriptBlob(
        exec,
        Buffer.from(toBuffer(exec, data)),
        contentType === undefined ? null : String(contentType),
        name === undefined ? null : String(name),
      );
    },
    gzip(data: unknown, name?: unknown) {
      return new ScriptBlob(exec, gzipSync(blob(data)), "application/x-gzip", name === undefined ? null : String(name));
    },
    ungzip(data: unknown) {
      const input = blob(data);
      try {
        return new ScriptBlob(exec, gunzipSync(input));
      } catch {
        return exec.fail("Could not decompress gzip.");
      }
    },
    base64Encode: (data: unknown, _charset?: unknown) => toBuffer(exec, data).toString("base64"),
    base64EncodeWebSafe: (data: unknown, _charset?: unknown) =>
      toBuffer(exec, data).toString("base64").replace(/\+/g, "-").replace(/\//g, "_"),
    base64Decode: (encoded: unknown, _charset?: unknown) => signed(Buffer.from(String(encoded), "base64")),
    base64DecodeWebSafe: (encoded: unknown, _charset?: unknown) => signed(Buffer.from(String(encoded), "base64url")),
    computeDigest(algorithm: unknown, value: unknown, _charset?: unknown) {
      const name = NODE_DIGEST[String(algorithm)];
      if (!name) return exec.fail(`Invalid argument: algorithm`);
      return signed(createHash(name).update(toBuffer(exec, value)).digest());
    },
    computeHmacSha256Signature(value: unknown, key: unknown, _charset?: unknown) {
      return signed(createHmac("sha256", toBuffer(exec, key)).update(toBuffer(exec, value)).digest());
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
