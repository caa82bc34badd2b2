import type { z } from "zod";

/** The outcome of checking untrusted input: the parsed value, or one sentence saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses untrusted input with a schema and returns the first problem in words, never a thrown error. */
export function check<S extends z.ZodType>(schema: S, input: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  // A misspelt field explains a "missing" one, so it is the more useful thing to say first.
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0];
  const where =
    issue && issue.path.length > 0 && !issue.message.includes(String(issue.path[0])) ? `${issue.path.join(".")}: ` : "";
  return { ok: false, error: `${where}${issue?.message ?? "invalid input"}` };
}
