// One zod schema per kind of record: the single source of the model's types (re-exported, without zod, by
// shared/model.ts), and what the relay and importers validate untrusted records with.
import { z } from "zod";

/** Anki's ids: millisecond timestamps, which must stay safe integers. */
const Id = z.number().int().safe();
/** The relay's usn of a record's last sync, or a negative one while a change waits to sync (see pending.ts). */
const Usn = z.number().int().safe();
const Mtime = z.number().int().nonnegative();
const stamped = { mtime: Mtime, usn: Usn };

/**
 * What Anki keeps of a record beyond this model (a preset's FSRS parameters and orders, a note type's field ids,
 * a deck's limits, a note's flags and data), as Anki's JSON of the record: carried along unchanged, so that it
 * survives a trip through the extension and back to Anki's apps, where the model's own fields override it.
 */
const AnkiExtra = z.record(z.string(), z.json()).optional();

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
  anki: AnkiExtra,
  ...stamped,
});
export type NoteType = z.output<typeof NoteType>;

/**
 * One search of a filtered deck, as Anki keeps it: what to search for, how many cards to take, in which order
 * (Anki's numbers: 0 oldest reviewed first, 1 random, 2 intervals ascending, 3 intervals descending, 4 most lapses,
 * 5 order added, 6 order due, 7 latest added first, 8 relative overdueness).
 */
export const FilterTerm = z.object({
  search: z.string().max(10_000),
  limit: z.number().int().min(1).max(99_999),
  order: z.number().int().min(0).max(8),
});
export type FilterTerm = z.output<typeof FilterTerm>;

/** What makes a deck a filtered deck: its searches (Anki allows two) and whether answers reschedule its cards. */
export const DeckFilter = z.object({
  terms: z.array(FilterTerm).min(1).max(2),
  reschedule: z.boolean(),
});
export type DeckFilter = z.output<typeof DeckFilter>;

export const Deck = z.object({
  id: Id,
  /** Full name; nesting is written with "::". */
  name: z.string().min(1).max(1000),
  configId: Id,
  description: z.string().max(100_000).default(""),
  collapsed: z.boolean().default(false),
  /**
   * Set on a filtered deck: its cards are borrowed from their home decks (a card's `odid`, with its own due in
   * `odue`) and go back when the deck is emptied or deleted, or when an answer reschedules them out of learning.
   */
  filter: DeckFilter.optional(),
  anki: AnkiExtra,
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
  /** Anki's leech threshold: the lapses at which a card becomes a leech, and again every half of it after. */
  leechThreshold: z.number().int().min(1).max(1000).default(8),
  /** What happens to a leech besides the "leech" tag on its note: suspended, or only tagged (Anki's default). */
  leechAction: z.enum(["suspend", "tag"]).default("tag"),
  buryNew: z.boolean().default(false),
  buryReviews: z.boolean().default(false),
  anki: AnkiExtra,
  ...stamped,
});
export type DeckConfig = z.output<typeof DeckConfig>;

/**
 * The most a note's fields and tags may hold, as the UTF-8 bytes of their JSON: one size for the editor, imports,
 * the sync and the relay, so that any note that can be saved also fits in one sync request (the relay takes 1 MiB).
 */
export const MAX_NOTE_BYTES = 900_000;

/** Why a note's fields and tags are too large to keep, naming the size and the limit; null when they fit. */
export function noteSizeProblem(fields: readonly string[], tags: readonly string[] = []): string | null {
  // A quick bound first: UTF-8 takes at most 3 bytes per UTF-16 unit, JSON escaping at most 6 units per unit.
  let units = 0;
  for (const field of fields) units += field.length;
  for (const tag of tags) units += tag.length;
  if (units * 18 <= MAX_NOTE_BYTES) return null;
  if (units > MAX_NOTE_BYTES) return tooLarge(units);
  const bytes = new TextEncoder().encode(JSON.stringify([fields, tags])).length;
  return bytes > MAX_NOTE_BYTES ? tooLarge(bytes) : null;
}

function tooLarge(size: number): string {
  const kb = (n: number) => `${Math.round(n / 1000).toLocaleString("en")} kB`;
  return `The note is too large: its fields hold about ${kb(size)}, and a note may hold at most ${kb(MAX_NOTE_BYTES)}. Move large content, such as pictures pasted as text, into media files.`;
}

/** A note's record without the size check, for schemas built from it (refinements cannot be omitted from). */
export const NoteRecord = z.object({
  id: Id,
  /** Anki's globally unique id, used to match notes across collections when importing. */
  guid: z.string().min(1).max(100),
  noteTypeId: Id,
  // Their size together is checked by checkNoteSize, which names the limit in words.
  fields: z.array(z.string()).min(1).max(200),
  tags: z.array(z.string().min(1).max(500)).max(1000),
  anki: AnkiExtra,
  ...stamped,
});

/** Refuses a note whose fields and tags are larger than MAX_NOTE_BYTES. */
export function checkNoteSize(note: { fields: string[]; tags: string[] }, ctx: z.RefinementCtx): void {
  const problem = noteSizeProblem(note.fields, note.tags);
  if (problem) ctx.addIssue({ code: "custom", path: ["fields"], message: problem });
}

export const Note = NoteRecord.superRefine(checkNoteSize);
export type Note = z.output<typeof Note>;

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
  /**
   * Of a note's or card's deletion made on this device: the guid of the note that was deleted (of the card's note),
   * so that the deletion is not taken for one of another record that has, or takes, the same id.
   */
  guid: z.string().optional(),
  ...stamped,
});
export type Grave = z.output<typeof Grave>;
