// The collection's data model: Anki's, so that packages import and export without loss. Every syncable record
// carries `mtime` (ms, when it last changed) and `usn` (the relay's update sequence number when it last changed,
// or -1 while the change exists only on this device). One zod schema per kind is the single source of the types;
// the relay validates every pushed record with it.
import { z } from "zod";

/** Anki's ids: millisecond timestamps, which must stay safe integers. */
const Id = z.number().int().safe();
const Usn = z.number().int().min(-1);
const Mtime = z.number().int().nonnegative();
const stamped = { mtime: Mtime, usn: Usn };

/** The usn of a change that has not reached the relay yet. */
export const PENDING = -1;

export const FieldDef = z.object({
  name: z.string().min(1).max(200),
  ord: z.number().int().nonnegative(),
  sticky: z.boolean().default(false),
  rtl: z.boolean().default(false),
  font: z.string().max(200).default("Arial"),
  size: z.number().int().positive().max(200).default(20),
  description: z.string().max(2000).default(""),
});
export type FieldDef = z.output<typeof FieldDef>;

export const TemplateDef = z.object({
  name: z.string().min(1).max(200),
  ord: z.number().int().nonnegative(),
  qfmt: z.string().max(200_000),
  afmt: z.string().max(200_000),
  /** Browser appearance: question and answer formats for the browse table; empty means the normal ones. */
  bqfmt: z.string().max(200_000).default(""),
  bafmt: z.string().max(200_000).default(""),
  /** A deck that cards of this template go to, overriding the one chosen when adding. */
  deckOverride: Id.nullable().default(null),
});
export type TemplateDef = z.output<typeof TemplateDef>;

export const NoteTypeKind = z.enum(["standard", "cloze"]);
export type NoteTypeKind = z.output<typeof NoteTypeKind>;

export const NoteType = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  kind: NoteTypeKind,
  fields: z.array(FieldDef).min(1).max(200),
  templates: z.array(TemplateDef).min(1).max(200),
  css: z.string().max(500_000),
  sortField: z.number().int().nonnegative(),
  latexPre: z.string().max(50_000).default(""),
  latexPost: z.string().max(50_000).default(""),
  ...stamped,
});
export type NoteType = z.output<typeof NoteType>;

export const Deck = z.object({
  id: Id,
  /** Full name; nesting is written with "::". */
  name: z.string().min(1).max(1000),
  configId: Id,
  description: z.string().max(100_000).default(""),
  collapsed: z.boolean().default(false),
  ...stamped,
});
export type Deck = z.output<typeof Deck>;

export const DeckConfig = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  newPerDay: z.number().int().min(0).max(100_000),
  reviewsPerDay: z.number().int().min(0).max(1_000_000),
  /** Learning steps in minutes. */
  learnSteps: z.array(z.number().positive().max(525_600)).max(50),
  relearnSteps: z.array(z.number().positive().max(525_600)).max(50),
  desiredRetention: z.number().min(0.7).max(0.99),
  /** Longest interval in days. */
  maxInterval: z.number().int().min(1).max(36_500),
  /** Graduating and easy intervals in days, used when a card leaves learning. */
  graduatingInterval: z.number().int().min(1).max(36_500).default(1),
  easyInterval: z.number().int().min(1).max(36_500).default(4),
  /** Anki's leech threshold: lapses after which a card is tagged "leech" and suspended. */
  leechThreshold: z.number().int().min(1).max(1000).default(8),
  buryNew: z.boolean().default(false),
  buryReviews: z.boolean().default(false),
  ...stamped,
});
export type DeckConfig = z.output<typeof DeckConfig>;

export const Note = z.object({
  id: Id,
  /** Anki's globally unique id, used to match notes across collections when importing. */
  guid: z.string().min(1).max(100),
  noteTypeId: Id,
  fields: z.array(z.string().max(1_000_000)).min(1).max(200),
  tags: z.array(z.string().min(1).max(500)).max(1000),
  ...stamped,
});
export type Note = z.output<typeof Note>;

/** Anki's card types and queues, by their numbers. */
export const CardType = { New: 0, Learning: 1, Review: 2, Relearning: 3 } as const;
export const CardQueue = {
  SchedBuried: -3,
  UserBuried: -2,
  Suspended: -1,
  New: 0,
  Learning: 1,
  Review: 2,
  DayLearning: 3,
  Preview: 4,
} as const;

export const Card = z.object({
  id: Id,
  noteId: Id,
  deckId: Id,
  /** Template index, or cloze number minus one. */
  ord: z.number().int().nonnegative().max(10_000),
  type: z.number().int().min(0).max(3),
  queue: z.number().int().min(-3).max(4),
  /** New: position. Learning: epoch seconds. Review and day-learning: day number (see shared/days.ts). */
  due: z.number().int().safe(),
  /** Interval in days (negative: seconds, for learning cards in old Anki collections). */
  ivl: z.number().int().safe(),
  /** Ease in permille (2500 = 250%). */
  factor: z.number().int().min(0).max(100_000),
  reps: z.number().int().nonnegative(),
  lapses: z.number().int().nonnegative(),
  /** Learning steps left, as Anki encodes them. */
  left: z.number().int().nonnegative(),
  odue: z.number().int().safe(),
  odid: Id,
  /** Flag 0-7 in the low bits, as Anki stores it. */
  flags: z.number().int().min(0).max(255),
  /** Anki's card data JSON: FSRS memory state as {"s", "d", "dr", "lrt"}, and anything else Anki keeps there. */
  data: z.string().max(10_000),
  ...stamped,
});
export type Card = z.output<typeof Card>;

/** Review log: append-only, so it has a usn but no mtime. */
export const RevlogEntry = z.object({
  /** The time of the answer, in ms. */
  id: Id,
  cardId: Id,
  usn: Usn,
  /** 1-4: Again, Hard, Good, Easy; 0: manual rescheduling. */
  ease: z.number().int().min(0).max(4),
  ivl: z.number().int().safe(),
  lastIvl: z.number().int().safe(),
  factor: z.number().int().min(0).max(100_000),
  /** Time taken to answer, in ms. */
  time: z.number().int().min(0).max(86_400_000),
  /** 0 learning, 1 review, 2 relearning, 3 filtered, 4 manual, 5 rescheduled. */
  type: z.number().int().min(0).max(5),
});
export type RevlogEntry = z.output<typeof RevlogEntry>;

export const Tag = z.object({
  name: z.string().min(1).max(500),
  collapsed: z.boolean().default(false),
  ...stamped,
});
export type Tag = z.output<typeof Tag>;

export const ConfigEntry = z.object({
  key: z.string().min(1).max(200),
  value: z.json(),
  ...stamped,
});
export type ConfigEntry = z.output<typeof ConfigEntry>;

export const GraveKind = z.enum(["note", "card", "deck", "notetype", "deckconfig", "tag", "config"]);
export type GraveKind = z.output<typeof GraveKind>;

export const Grave = z.object({
  kind: GraveKind,
  /** The record's key as text: a number's decimal digits, a tag's name or a config key. */
  id: z.string().min(1).max(500),
  ...stamped,
});
export type Grave = z.output<typeof Grave>;

/** The collection's identity and schema stamp, one per profile. */
export interface CollectionMeta {
  /** Random id of this collection; an account holds one collection, identified by it. */
  id: string;
  /** Time of the last change that cannot be merged (ms); differing values force a one-way sync. */
  scm: number;
  /** The relay's usn after the last successful sync; 0 before the first. */
  lastSyncUsn: number;
  /** When the last sync succeeded (ms); 0 before the first. */
  lastSync: number;
  /** When the collection was made (ms). */
  created: number;
  /** When anything in the collection last changed (ms). */
  mtime: number;
}

/** The first id that is free for Anki's standard objects: the Default deck and the default options. */
export const DEFAULT_DECK_ID = 1;
export const DEFAULT_CONFIG_ID = 1;
