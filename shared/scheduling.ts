// Scheduling with FSRS (ts-fsrs), in Anki's card fields: the card's type, queue, due, interval, ease, reps,
// lapses and learning steps, and FSRS's memory state in the card's data as Anki keeps it ({"s", "d", "dr", "lrt"}).
import {
  createEmptyCard,
  FSRS6_DEFAULT_DECAY,
  type Card as FsrsCard,
  forgetting_curve,
  fsrs,
  type Grade,
  State,
  StrategyMode,
} from "ts-fsrs";
import { dayNumber, dayStart } from "./days";
import type { Card, DeckConfig, RevlogEntry } from "./model";
import { CardQueue, CardType } from "./model";
import { learningStep, type StepOutcome } from "./steps";

export type Ease = 1 | 2 | 3 | 4;

export interface DayContext {
  rolloverHour: number;
  utcOffsetMinutes: number;
}

export interface MemoryState {
  stability: number;
  difficulty: number;
}

const DAY_MS = 86_400_000;

/** Reads FSRS's memory state from a card's data, or null when it has none. */
export function memoryState(card: Card): MemoryState | null {
  if (!card.data) return null;
  try {
    const data = JSON.parse(card.data) as { s?: unknown; d?: unknown };
    if (typeof data.s === "number" && typeof data.d === "number") return { stability: data.s, difficulty: data.d };
  } catch {
    // Data written by another program: treated as having no memory state.
  }
  return null;
}

/**
 * A memory state for a card reviewed with Anki's SM-2 and never with FSRS: stability from its interval (at 90%
 * retention the interval is about the stability), difficulty from its ease (250% → 5, lower ease → harder).
 */
export function estimatedMemoryState(card: Card): MemoryState {
  const stability = Math.max(0.5, card.ivl > 0 ? card.ivl : 0.5);
  const ease = card.factor > 0 ? card.factor / 1000 : 2.5;
  const difficulty = Math.min(10, Math.max(1, 5 + (2.5 - ease) * 4));
  return { stability, difficulty };
}

/**
 * The memory state FSRS arrives at by replaying a card's review history, for cards studied with Anki's SM-2 (or
 * imported) that have none: each answer in time order, starting again after a "Forget" (a manual entry setting the
 * interval to 0). Null when the history holds no answers.
 */
export function memoryFromHistory(history: readonly RevlogEntry[], preset: DeckConfig): MemoryState | null {
  const f = scheduler(preset, false);
  let card: FsrsCard | null = null;
  for (const entry of [...history].sort((a, b) => a.id - b.id)) {
    if (entry.type === 4 || entry.type === 5 || entry.ease === 0) {
      if (entry.ivl === 0) card = null;
      continue;
    }
    const at = new Date(entry.id);
    card = f.next(card ?? createEmptyCard(at), at, entry.ease as Grade).card;
  }
  if (!card || card.state === State.New) return null;
  return { stability: card.stability, difficulty: card.difficulty };
}

function scheduler(preset: DeckConfig, fuzz: boolean, card?: Card) {
  const f = fsrs({
    request_retention: preset.desiredRetention,
    maximum_interval: preset.maxInterval,
    enable_fuzz: fuzz,
    enable_short_term: true,
    learning_steps: preset.learnSteps.map((m) => `${m}m` as const),
    relearning_steps: preset.relearnSteps.map((m) => `${m}m` as const),
  });
  if (!card) return f;
  // The steps follow Anki's rules (learningStep), which differ from ts-fsrs's own for Hard on a later step.
  return f.useStrategy(StrategyMode.LEARNING_STEPS, () => {
    const out: { [K in Grade]?: { scheduled_minutes: number; next_step: number } } = {};
    for (const ease of [1, 2, 3, 4] as const) {
      const step = stepOf(card, ease, preset);
      if (step)
        out[ease] = { scheduled_minutes: step.seconds / 60, next_step: stepCount(card, preset) - step.remaining };
    }
    return out;
  });
}

function stepCount(card: Card, preset: DeckConfig): number {
  return relearns(card) ? preset.relearnSteps.length : preset.learnSteps.length;
}

function relearns(card: Card): boolean {
  return card.type === CardType.Review || card.type === CardType.Relearning;
}

/** Where `ease` takes the card on its steps, or null when it leaves them (or a review card does not lapse). */
function stepOf(card: Card, ease: Ease, preset: DeckConfig): StepOutcome | null {
  const steps = relearns(card) ? preset.relearnSteps : preset.learnSteps;
  if (card.type === CardType.Review) return ease === 1 ? learningStep(steps, steps.length, 1) : null;
  return learningStep(steps, card.type === CardType.New ? steps.length : card.left, ease);
}

/** When the card is due, as a moment. */
function dueMoment(card: Card, now: number, day: DayContext): number {
  if (card.type === CardType.New) return now;
  if (card.queue === CardQueue.Learning) return card.due * 1000;
  return dayStart(card.due, day.rolloverHour, day.utcOffsetMinutes);
}

function toFsrs(card: Card, preset: DeckConfig, now: number, day: DayContext, history?: MemoryState | null): FsrsCard {
  const memory = card.type === CardType.New ? null : (memoryState(card) ?? history ?? estimatedMemoryState(card));
  const lastReview = lastReviewTime(card, now, day);
  const steps = card.type === CardType.Relearning ? preset.relearnSteps.length : preset.learnSteps.length;
  const remaining = card.left % 1000;
  return {
    due: new Date(dueMoment(card, now, day)),
    stability: memory?.stability ?? 0,
    difficulty: memory?.difficulty ?? 0,
    elapsed_days: lastReview === null ? 0 : Math.max(0, Math.floor((now - lastReview) / DAY_MS)),
    scheduled_days: Math.max(0, card.ivl),
    learning_steps:
      card.type === CardType.Learning || card.type === CardType.Relearning ? Math.max(0, steps - remaining) : 0,
    reps: card.reps,
    lapses: card.lapses,
    state: card.type as State,
    ...(lastReview === null ? {} : { last_review: new Date(lastReview) }),
  };
}

function lastReviewTime(card: Card, now: number, day: DayContext): number | null {
  if (card.type === CardType.New) return null;
  try {
    const data = JSON.parse(card.data || "{}") as { lrt?: unknown };
    if (typeof data.lrt === "number") return data.lrt * 1000;
  } catch {
    // Falls through to the estimate below.
  }
  if (card.queue === CardQueue.Review) return dueMoment(card, now, day) - card.ivl * DAY_MS;
  return now;
}

/**
 * How likely the card is to be recalled now (0 to 1), by FSRS's forgetting curve from its stability and its last
 * review; null for a card without a memory state.
 */
export function retrievability(card: Card, now: number, day: DayContext): number | null {
  const memory = memoryState(card);
  const last = lastReviewTime(card, now, day);
  if (!memory || last === null) return null;
  return forgetting_curve(FSRS6_DEFAULT_DECAY, Math.max(0, (now - last) / DAY_MS), memory.stability);
}

export interface Answer {
  card: Card;
  /** The review-log row, without its id (the time of the answer) and usn. */
  log: Omit<RevlogEntry, "id" | "usn">;
}

/** What answering `card` with `ease` at `now` does: the card's new state and its review-log row. */
export function answer(
  card: Card,
  ease: Ease,
  preset: DeckConfig,
  now: number,
  day: DayContext,
  {
    timeTakenMs = 0,
    fuzz = true,
    history = null,
  }: {
    timeTakenMs?: number;
    fuzz?: boolean;
    /** For a card with no memory state: the state its review history gives (memoryFromHistory). */
    history?: MemoryState | null;
  } = {},
): Answer {
  const result = scheduler(preset, fuzz, card).next(
    toFsrs(card, preset, now, day, history),
    new Date(now),
    ease as Grade,
  );
  const next = result.card;
  const step = stepOf(card, ease, preset);
  const learning = step !== null;
  const dueAt = step ? now + step.seconds * 1000 : next.due.getTime();
  const state: number = step ? (relearns(card) ? CardType.Relearning : CardType.Learning) : CardType.Review;
  const today = dayNumber(now, day.rolloverHour, day.utcOffsetMinutes);
  const dueDay = dayNumber(dueAt, day.rolloverHour, day.utcOffsetMinutes);
  // ts-fsrs can give Easy one day more than Good even at the maximum; the preset's maximum is a hard limit here.
  const intervalDays = Math.min(preset.maxInterval, Math.max(0, dueDay - today));
  let queue: number = CardQueue.Review;
  let due = today + Math.max(1, intervalDays);
  if (learning) {
    // Learning steps inside today are timed to the second; longer ones wait for their day, as in Anki.
    if (dueDay <= today) {
      queue = CardQueue.Learning;
      due = Math.floor(dueAt / 1000);
    } else {
      queue = CardQueue.DayLearning;
    }
  }
  const left = step ? step.remaining : 0;
  const updated: Card = {
    ...card,
    type: state,
    queue,
    due,
    ivl: learning ? 0 : Math.max(1, intervalDays),
    factor: card.factor > 0 ? card.factor : 2500,
    reps: next.reps,
    lapses: next.lapses,
    left,
    data: JSON.stringify({
      ...parseData(card.data),
      s: round(next.stability, 4),
      d: round(next.difficulty, 4),
      dr: preset.desiredRetention,
      lrt: Math.floor(now / 1000),
    }),
  };
  const secondsUntilDue = Math.max(1, Math.round((dueAt - now) / 1000));
  const log: Answer["log"] = {
    cardId: card.id,
    ease,
    // Anki logs a step within today in seconds (negative) and one on a later day in days.
    ivl: queue === CardQueue.Learning ? -secondsUntilDue : queue === CardQueue.DayLearning ? due - today : updated.ivl,
    lastIvl: card.type === CardType.New ? 0 : card.ivl,
    factor: updated.factor,
    time: Math.min(60_000, Math.max(0, Math.round(timeTakenMs))),
    type: card.type === CardType.New || card.type === CardType.Learning ? 0 : card.type === CardType.Review ? 1 : 2,
  };
  return { card: updated, log };
}

/**
 * How long until the card comes back after each of the four answers, for the buttons ("10m", "1d", "3.5mo"): what
 * `answer` schedules (without the random spread of long intervals), so that a label never promises another interval
 * than the answer gives. A step within today counts to the second; a card due on a later day counts in days.
 */
export function scheduledLabels(
  card: Card,
  preset: DeckConfig,
  now: number,
  day: DayContext,
  history: MemoryState | null = null,
): Record<Ease, string> {
  const today = dayNumber(now, day.rolloverHour, day.utcOffsetMinutes);
  const out = {} as Record<Ease, string>;
  for (const ease of [1, 2, 3, 4] as const) {
    out[ease] = describeInterval(scheduledMs(answer(card, ease, preset, now, day, { fuzz: false, history }).card));
  }
  return out;

  function scheduledMs(next: Card): number {
    // A learning card is due to the second: counted from this second, a 1-minute step is a minute, not 59.4 s.
    if (next.queue === CardQueue.Learning) return (next.due - Math.floor(now / 1000)) * 1000;
    const days = next.queue === CardQueue.DayLearning ? next.due - today : next.ivl;
    return days * 86_400_000;
  }
}

/** A short interval as Anki writes it on the answer buttons. */
export function describeInterval(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 1) return "<1m";
  if (minutes < 60) return `${Math.round(minutes)}m`;
  const hours = minutes / 60;
  if (hours < 24) return `${Math.round(hours)}h`;
  const days = hours / 24;
  if (days < 30) return `${Math.round(days)}d`;
  if (days < 365) return `${round(days / 30, 1)}mo`;
  return `${round(days / 365, 1)}y`;
}

function parseData(data: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(data || "{}") as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
