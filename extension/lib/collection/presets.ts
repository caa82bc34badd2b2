// Deck options presets: daily limits, learning steps, desired retention, maximum interval.
import { DEFAULT_CONFIG_ID, PENDING } from "../../../shared/model";
import { check } from "../../../shared/protocol/validate";
import { DeckConfig } from "../../../shared/schemas";
import { type ChangeOptions, type Collection, done, grave, type Outcome, refuse, stamp } from "./collection";
import { defaultDeckConfig } from "./defaults";
import { touchMeta } from "./notes";
import { pendingUsn } from "./pending";

export type PresetEdit = Partial<Omit<DeckConfig, "id" | "mtime" | "usn">>;

const EDITABLE = DeckConfig.omit({ id: true, mtime: true, usn: true });

/** Adds a preset, as a copy of another or with Anki's defaults. */
export async function addPreset(col: Collection, name: string, copyOf?: number): Promise<Outcome<DeckConfig>> {
  const trimmed = name.normalize("NFC").trim();
  if (!trimmed) return refuse("The preset needs a name.");
  const source = copyOf === undefined ? undefined : await col.db.get("deckconfigs", copyOf);
  if (copyOf !== undefined && !source) return refuse(`There is no options preset with id ${copyOf}.`);
  const [id = 0] = await col.freshIds("deckconfigs", 1);
  const now = col.clock.now();
  const preset = { ...(source ?? defaultDeckConfig(id, trimmed, now, PENDING)), id, name: trimmed };
  const parsed = check(DeckConfig, preset);
  if (!parsed.ok) return refuse(parsed.error);
  const tx = col.db.transaction(["deckconfigs", "meta"], "readwrite");
  const added = stamp(parsed.value, now, await pendingUsn(tx.objectStore("meta")));
  await tx.objectStore("deckconfigs").add(added);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(added);
}

/** Changes a preset's settings; every value is checked and a wrong one is named. */
export async function updatePreset(col: Collection, id: number, edit: PresetEdit): Promise<Outcome<DeckConfig>> {
  const current = await col.db.get("deckconfigs", id);
  if (!current) return refuse(`There is no options preset with id ${id}.`);
  const { id: _id, mtime: _m, usn: _u, ...rest } = { ...current, ...edit };
  const parsed = check(EDITABLE, { ...rest, name: String(rest.name ?? "").trim() });
  if (!parsed.ok) return refuse(describePresetError(parsed.error));
  const now = col.clock.now();
  const tx = col.db.transaction(["deckconfigs", "meta"], "readwrite");
  const saved = stamp({ ...current, ...parsed.value }, now, await pendingUsn(tx.objectStore("meta")));
  await tx.objectStore("deckconfigs").put(saved);
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(saved);
}

const LABELS: Record<string, string> = {
  name: "Name",
  newPerDay: "New cards per day",
  reviewsPerDay: "Maximum reviews per day",
  learnSteps: "Learning steps",
  relearnSteps: "Relearning steps",
  desiredRetention: "Desired retention",
  maxInterval: "Maximum interval",
  leechThreshold: "Leech threshold",
  leechAction: "Leech action",
};

function describePresetError(error: string): string {
  const [path, ...rest] = error.split(": ");
  const key = path?.split(".")[0] ?? "";
  const label = LABELS[key];
  return label && rest.length > 0 ? `${label}: ${rest.join(": ")}` : error;
}

/** Deletes a preset (a schema change); decks that used it go back to the default preset. */
export async function deletePreset(col: Collection, id: number, options: ChangeOptions = {}): Promise<Outcome<number>> {
  if (id === DEFAULT_CONFIG_ID) return refuse("The default options preset cannot be deleted.");
  if (!(await col.db.get("deckconfigs", id))) return refuse(`There is no options preset with id ${id}.`);
  const guard = await col.guardSchemaChange(options);
  if (guard) return guard;
  const now = col.clock.now();
  const tx = col.db.transaction(["deckconfigs", "decks", "graves", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  let moved = 0;
  for (const deck of await tx.objectStore("decks").getAll()) {
    if (deck.configId === id) {
      await tx.objectStore("decks").put(stamp({ ...deck, configId: DEFAULT_CONFIG_ID }, now, usn));
      moved++;
    }
  }
  await tx.objectStore("deckconfigs").delete(id);
  await tx.objectStore("graves").put(grave("deckconfig", id, now, usn));
  await touchMeta(tx.objectStore("meta"), now, true);
  await tx.done;
  return done(moved);
}

/** Sets the hour (0-23, local time) at which a new day of study begins, for the whole collection; it syncs. */
export async function setRolloverHour(col: Collection, hour: number): Promise<Outcome<number>> {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    return refuse("The next day starts at a whole hour from 0 (midnight) to 23.");
  }
  const now = col.clock.now();
  const tx = col.db.transaction(["config", "meta"], "readwrite");
  const usn = await pendingUsn(tx.objectStore("meta"));
  await tx.objectStore("config").put({ key: "rollover", value: hour, mtime: now, usn });
  await touchMeta(tx.objectStore("meta"), now);
  await tx.done;
  return done(hour);
}
