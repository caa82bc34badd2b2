// Learning steps as Anki writes them: "1m 10m 1h 2d" (s, m, h, d; a bare number is minutes).
import type { Checked } from "./protocol/validate";

const UNIT_MINUTES: Record<string, number> = { s: 1 / 60, m: 1, h: 60, d: 1440 };

/** Parses steps typed by a person into minutes. */
export function parseSteps(input: string): Checked<number[]> {
  const parts = input
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
  const minutes: number[] = [];
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)([smhd]?)$/i.exec(part);
    if (!match) return { ok: false, error: `"${part}" is not a step; write steps like 1m 10m 1h 1d.` };
    const value = Number(match[1]) * (UNIT_MINUTES[(match[2] || "m").toLowerCase()] ?? 1);
    if (value <= 0) return { ok: false, error: `"${part}" is not a step: a step must be longer than zero.` };
    minutes.push(Math.round(value * 10_000) / 10_000);
  }
  return { ok: true, value: minutes };
}

/** Writes minutes back in the shortest unit that is whole. */
export function formatSteps(minutes: number[]): string {
  return minutes
    .map((m) => {
      if (m >= 1440 && m % 1440 === 0) return `${m / 1440}d`;
      if (m >= 60 && m % 60 === 0) return `${m / 60}h`;
      if (Number.isInteger(m)) return `${m}m`;
      return `${Math.round(m * 60)}s`;
    })
    .join(" ");
}
