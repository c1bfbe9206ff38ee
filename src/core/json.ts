/** Any schema with zod's safeParse: full zod and zod/mini schemas both fit. */
export interface JsonSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

/** Parses JSON text (a stored property or cache value, a response body) against its schema; null when absent or invalid. */
export function parseStoredJson<T>(raw: string | null | undefined, schema: JsonSchema<T>): T | null {
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** obj[key] when obj is an object (a parsed body read field by field), else undefined. */
export function jsonField(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === "object" ? (obj as Record<string, unknown>)[key] : undefined;
}
