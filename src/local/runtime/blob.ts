import type { Execution } from "./execution";

/** Apps Script (Java) bytes are signed: -128..127. */
export function signedBytes(buffer: Buffer): number[] {
  return Array.from(new Int8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
}

/** The Blob a script sees. */
export class ScriptBlob {
  readonly #exec: Execution;
  #data: Buffer;
  #contentType: string | null;
  #name: string | null;

  constructor(exec: Execution, data: Buffer, contentType: string | null = null, name: string | null = null) {
    this.#exec = exec;
    this.#data = data;
    this.#contentType = contentType;
    this.#name = name;
  }

  /** The raw bytes, for the host side. */
  data(): Buffer {
    return this.#data;
  }

  getBytes(): number[] {
    return this.#exec.toScript(signedBytes(this.#data));
  }
  getDataAsString(_charset?: unknown): string {
    return this.#data.toString("utf8");
  }
  getContentType(): string | null {
    return this.#contentType;
  }
  setContentType(contentType: unknown): ScriptBlob {
    this.#contentType = contentType === null ? null : String(contentType);
    return this;
  }
  getName(): string | null {
    return this.#name;
  }
  setName(name: unknown): ScriptBlob {
    this.#name = String(name);
    return this;
  }
  setDataFromString(text: unknown): ScriptBlob {
    this.#data = Buffer.from(String(text), "utf8");
    return this;
  }
  setBytes(bytes: unknown): ScriptBlob {
    this.#data = toBuffer(this.#exec, bytes);
    return this;
  }
  copyBlob(): ScriptBlob {
    return new ScriptBlob(this.#exec, Buffer.from(this.#data), this.#contentType, this.#name);
  }
  getBlob(): ScriptBlob {
    return this;
  }
  isGoogleType(): boolean {
    return false;
  }
}

/** Bytes of what Utilities methods accept: a string (UTF-8), an array of (signed) bytes, or a blob. */
export function toBuffer(exec: Execution, data: unknown): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof ScriptBlob) return data.data();
  if (Array.isArray(data)) return Buffer.from(data.map((b: unknown) => Number(b) & 0xff));
  return exec.fail(`Invalid argument: ${String(data)}`);
}
