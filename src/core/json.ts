import type { z } from "zod";

/** Parses stored JSON (a property or cache value) against its schema; null when absent or invalid. */
export function parseStoredJson<T>(raw: string | null | undefined, schema: z.ZodType<T>): T | null {
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
