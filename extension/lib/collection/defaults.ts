import type { DeckConfig } from "../../../shared/model";

/** Anki's default deck options, with FSRS's usual desired retention, stamped with a pending usn. */
export function defaultDeckConfig(id: number, name: string, now: number, usn: number): DeckConfig {
  return {
    id,
    name,
    newPerDay: 20,
    reviewsPerDay: 200,
    learnSteps: [1, 10],
    relearnSteps: [10],
    desiredRetention: 0.9,
    maxInterval: 36_500,
    graduatingInterval: 1,
    easyInterval: 4,
    leechThreshold: 8,
    leechAction: "tag",
    buryNew: false,
    buryReviews: false,
    mtime: now,
    usn,
  };
}
