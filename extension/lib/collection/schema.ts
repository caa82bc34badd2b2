// The one IndexedDB schema of a profile's collection, and its numbered upgrade steps. A released step never
// changes: a new version adds a step.
import { type DBSchema, type IDBPDatabase, type IDBPObjectStore, openDB, type StoreNames } from "idb";
import type {
  Card,
  CollectionMeta,
  ConfigEntry,
  Deck,
  DeckConfig,
  Grave,
  RevlogEntry as LegacyRevlogRow,
  Note,
  NoteType,
  Tag,
} from "../../../shared/model";
import type { MediaRecord, MediaSyncState } from "../media/types";
import { type RevlogBlock, sealBlock, toBlocks } from "./revlog";

export interface CollectionSchema extends DBSchema {
  meta: { key: "collection"; value: CollectionMeta };
  notetypes: { key: number; value: NoteType; indexes: { usn: number } };
  decks: { key: number; value: Deck; indexes: { usn: number; name: string } };
  deckconfigs: { key: number; value: DeckConfig; indexes: { usn: number } };
  notes: { key: number; value: Note; indexes: { usn: number; noteTypeId: number; guid: string } };
  cards: {
    key: number;
    value: Card;
    indexes: { usn: number; noteId: number; deckId: number; deckQueueDue: [number, number, number] };
  };
  /** The review log, an hour of answers per record (see revlog.ts). */
  revlogBlocks: {
    key: number;
    value: RevlogBlock;
    indexes: { cardIds: number; pending: [number, number, number]; n: number };
  };
  tags: { key: string; value: Tag; indexes: { usn: number } };
  config: { key: string; value: ConfigEntry; indexes: { usn: number } };
  graves: { key: [string, string]; value: Grave; indexes: { usn: number } };
  /** Media files by name: hash, size, time and sync state (the bytes are in mediaBytes, so lists stay small). */
  media: { key: string; value: MediaRecord; indexes: { pending: string; sha1: string } };
  /** The bytes of each media file, by name. */
  mediaBytes: { key: string; value: ArrayBuffer };
  /** Where media sync stands: the relay's media usn and whether the last media sync finished. */
  mediaSync: { key: "state"; value: MediaSyncState };
}

export type CollectionDb = IDBPDatabase<CollectionSchema>;
export type StoreName =
  | "notetypes"
  | "decks"
  | "deckconfigs"
  | "notes"
  | "cards"
  | "revlogBlocks"
  | "tags"
  | "config"
  | "graves";

/** Every store that holds syncable records, in the order a sync applies them (parents before children). */
export const SYNCED_STORES = [
  "notetypes",
  "deckconfigs",
  "decks",
  "tags",
  "config",
  "notes",
  "cards",
  "revlogBlocks",
  "graves",
] as const satisfies readonly StoreName[];

export const SCHEMA_VERSION = 4;

export function databaseName(profileId: string): string {
  return `collection:${profileId}`;
}

/**
 * Deletes a profile's (or a backup's) database. Resolves once asked: a page that has it open delays the deletion
 * until it closes.
 */
export function deleteCollectionDb(profileId: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(databaseName(profileId));
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

export function openCollectionDb(profileId: string): Promise<CollectionDb> {
  return openDB<CollectionSchema>(databaseName(profileId), SCHEMA_VERSION, {
    async upgrade(db, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        db.createObjectStore("meta");
        db.createObjectStore("notetypes", { keyPath: "id" }).createIndex("usn", "usn");
        const decks = db.createObjectStore("decks", { keyPath: "id" });
        decks.createIndex("usn", "usn");
        decks.createIndex("name", "name", { unique: true });
        db.createObjectStore("deckconfigs", { keyPath: "id" }).createIndex("usn", "usn");
        const notes = db.createObjectStore("notes", { keyPath: "id" });
        notes.createIndex("usn", "usn");
        notes.createIndex("noteTypeId", "noteTypeId");
        notes.createIndex("guid", "guid");
        const cards = db.createObjectStore("cards", { keyPath: "id" });
        cards.createIndex("usn", "usn");
        cards.createIndex("noteId", "noteId");
        cards.createIndex("deckId", "deckId");
        cards.createIndex("deckQueueDue", ["deckId", "queue", "due"]);
        // The review log's first form, a record per row (see step 3).
        const revlog = (db as unknown as IDBPDatabase).createObjectStore("revlog", { keyPath: "id" });
        revlog.createIndex("usn", "usn");
        revlog.createIndex("cardId", "cardId");
        db.createObjectStore("tags", { keyPath: "name" }).createIndex("usn", "usn");
        db.createObjectStore("config", { keyPath: "key" }).createIndex("usn", "usn");
        db.createObjectStore("graves", { keyPath: ["kind", "id"] }).createIndex("usn", "usn");
      }
      if (oldVersion < 2) {
        // Media syncs on its own track, so none of these is one of SYNCED_STORES: a one-way sync, a backup and
        // its restore leave media alone. Only records with a change waiting to sync have `pending`.
        const media = db.createObjectStore("media", { keyPath: "name" });
        media.createIndex("pending", "pending");
        media.createIndex("sha1", "sha1");
        db.createObjectStore("mediaBytes");
        db.createObjectStore("mediaSync");
      }
      if (oldVersion < 3) {
        // The review log moves into blocks of an hour, every row with it, in this one upgrade transaction.
        const blocks = db.createObjectStore("revlogBlocks", { keyPath: "key" });
        blocks.createIndex("cardIds", "cardIds", { multiEntry: true });
        blocks.createIndex("pending", "pending");
        blocks.createIndex("n", "n");
        if (db.objectStoreNames.contains("revlog" as never)) {
          try {
            const legacy = (
              transaction as unknown as { objectStore(name: "revlog"): { getAll(): Promise<LegacyRevlogRow[]> } }
            ).objectStore("revlog");
            const rows = await legacy.getAll();
            for (const block of toBlocks(rows)) await blocks.put(block);
            (db as unknown as IDBPDatabase).deleteObjectStore("revlog");
          } catch (error) {
            // An error of this code would not abort the upgrade by itself: abort it, so that the database stays as
            // it was (at version 2, every row in the old store) rather than half moved.
            transaction.abort();
            throw error;
          }
        }
      }
      if (oldVersion >= 3 && oldVersion < 4) {
        // A block's `pending` was a count of rows with usn -1; it becomes [generation, rows, older] (revlog.ts).
        // Only blocks with such rows have it, so a synced collection rewrites none.
        try {
          const blocks = transaction.objectStore("revlogBlocks");
          for (const block of await blocks.index("pending").getAll()) await blocks.put(sealBlock(block));
        } catch (error) {
          transaction.abort();
          throw error;
        }
      }
    },
  });
}

/** One store of a read-write transaction, whatever other stores the transaction spans. */
export type WriteStore<N extends StoreNames<CollectionSchema>> = IDBPObjectStore<
  CollectionSchema,
  ArrayLike<StoreNames<CollectionSchema>>,
  N,
  "readwrite"
>;
