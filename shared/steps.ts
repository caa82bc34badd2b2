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

const DAY_SECONDS = 86_400;

export interface StepOutcome {
  /** How long until the card is shown again, in seconds. */
  seconds: number;
  /** The steps still to go after this one (Anki's `left`). */
  remaining: number;
}

/**
 * Where an answer takes a card that is on its learning (or relearning) steps, by Anki's rules; null when the answer
 * leaves the steps (the card graduates, or there are no steps). `remaining` is the card's count of steps still to go
 * (the whole list for a card that is just starting them).
 * - Again goes back to the first step.
 * - Hard on the first step waits halfway to the second step (with one step, half as long again, at most a day more);
 *   Hard on a later step repeats that step.
 * - Good moves on to the next step, or graduates after the last one.
 * - Easy always graduates.
 */
export function learningStep(steps: readonly number[], remaining: number, ease: 1 | 2 | 3 | 4): StepOutcome | null {
  const total = steps.length;
  if (total === 0) return null;
  const index = Math.min(Math.max(0, total - (remaining % 1000)), total - 1);
  const secondsAt = (i: number) => Math.max(1, Math.floor((steps[i] ?? 0) * 60));
  switch (ease) {
    case 1:
      return { seconds: secondsAt(0), remaining: total };
    case 2: {
      if (index > 0) return { seconds: secondsAt(index), remaining: total - index };
      const first = secondsAt(0);
      const seconds =
        total > 1 ? Math.floor((first + secondsAt(1)) / 2) : Math.min(Math.floor((first * 3) / 2), first + DAY_SECONDS);
      return {
        seconds: seconds > DAY_SECONDS ? Math.round(seconds / DAY_SECONDS) * DAY_SECONDS : seconds,
        remaining: total,
      };
    }
    case 3:
      return index + 1 < total ? { seconds: secondsAt(index + 1), remaining: total - index - 1 } : null;
    default:
      return null;
  }
}
