// The protobuf messages of Anki's newer files, read with @bufbuild/protobuf's BinaryReader: the `config` blobs of
// note types, fields, templates, decks and presets (schema 15 and later), the package's `meta` entry and its
// media map. Only the fields this project uses are read; the rest are skipped.
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { fail } from "./errors";

type Handler = (reader: BinaryReader, wireType: WireType) => void;

/** Reads a message, calling the handler of each field number it knows and skipping the others. */
function readMessage(bytes: Uint8Array, what: string, handlers: Record<number, Handler>): void {
  const reader = new BinaryReader(bytes);
  try {
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      const handler = handlers[field];
      if (handler) handler(reader, wireType);
      else reader.skip(wireType, field);
    }
  } catch {
    fail(`The ${what} in the package is damaged (its protobuf data does not decode).`);
  }
}

const int = (value: bigint | string): number => Number(value);

/** A repeated float, packed (the usual way) or not. */
function floats(reader: BinaryReader, wireType: WireType, into: number[]): void {
  if (wireType !== WireType.LengthDelimited) {
    into.push(reader.float());
    return;
  }
  const packed = new BinaryReader(reader.bytes());
  while (packed.pos < packed.len) into.push(packed.float());
}

export interface NotetypeConfig {
  cloze: boolean;
  sortField: number;
  css: string;
  latexPre: string;
  latexPost: string;
}

export function readNotetypeConfig(bytes: Uint8Array): NotetypeConfig {
  const out: NotetypeConfig = { cloze: false, sortField: 0, css: "", latexPre: "", latexPost: "" };
  readMessage(bytes, "note type", {
    1: (r) => {
      out.cloze = r.int32() === 1;
    },
    2: (r) => {
      out.sortField = r.uint32();
    },
    3: (r) => {
      out.css = r.string();
    },
    5: (r) => {
      out.latexPre = r.string();
    },
    6: (r) => {
      out.latexPost = r.string();
    },
  });
  return out;
}

export interface FieldConfig {
  sticky: boolean;
  rtl: boolean;
  font: string;
  size: number;
  description: string;
}

export function readFieldConfig(bytes: Uint8Array): FieldConfig {
  const out: FieldConfig = { sticky: false, rtl: false, font: "Arial", size: 20, description: "" };
  readMessage(bytes, "field", {
    1: (r) => {
      out.sticky = r.bool();
    },
    2: (r) => {
      out.rtl = r.bool();
    },
    3: (r) => {
      out.font = r.string() || "Arial";
    },
    4: (r) => {
      out.size = r.uint32() || 20;
    },
    5: (r) => {
      out.description = r.string();
    },
  });
  return out;
}

export interface TemplateConfig {
  qfmt: string;
  afmt: string;
  bqfmt: string;
  bafmt: string;
  deckId: number;
}

export function readTemplateConfig(bytes: Uint8Array): TemplateConfig {
  const out: TemplateConfig = { qfmt: "", afmt: "", bqfmt: "", bafmt: "", deckId: 0 };
  readMessage(bytes, "card template", {
    1: (r) => {
      out.qfmt = r.string();
    },
    2: (r) => {
      out.afmt = r.string();
    },
    3: (r) => {
      out.bqfmt = r.string();
    },
    4: (r) => {
      out.bafmt = r.string();
    },
    5: (r) => {
      out.deckId = int(r.int64());
    },
  });
  return out;
}

export interface DeckKind {
  filtered: boolean;
  configId: number;
  description: string;
  /** A filtered deck's searches, as written (the reader checks them), and whether it reschedules. */
  filter: { terms: { search: string; limit: number; order: number }[]; reschedule: boolean } | null;
}

/**
 * Deck.KindContainer: a normal deck (field 1: config id, description) or a filtered one (field 2:
 * Filtered { bool reschedule = 1; repeated SearchTerm search_terms = 2; ... }, with
 * SearchTerm { string search = 1; uint32 limit = 2; int32 order = 3 }).
 */
export function readDeckKind(bytes: Uint8Array): DeckKind {
  const out: DeckKind = { filtered: false, configId: 1, description: "", filter: null };
  readMessage(bytes, "deck", {
    1: (r) => {
      readMessage(r.bytes(), "deck", {
        1: (n) => {
          out.configId = int(n.int64());
        },
        4: (n) => {
          out.description = n.string();
        },
      });
    },
    2: (r) => {
      out.filtered = true;
      const filter: NonNullable<DeckKind["filter"]> = { terms: [], reschedule: false };
      readMessage(r.bytes(), "filtered deck", {
        1: (f) => {
          filter.reschedule = f.bool();
        },
        2: (f) => {
          const term = { search: "", limit: 0, order: 0 };
          readMessage(f.bytes(), "filtered deck", {
            1: (t) => {
              term.search = t.string();
            },
            2: (t) => {
              term.limit = t.uint32();
            },
            3: (t) => {
              term.order = t.int32();
            },
          });
          filter.terms.push(term);
        },
      });
      out.filter = filter;
    },
  });
  return out;
}

/** Deck.Common: whether the deck is collapsed in the deck list. */
export function readDeckCommon(bytes: Uint8Array): { collapsed: boolean } {
  const out = { collapsed: false };
  readMessage(bytes, "deck", {
    1: (r) => {
      out.collapsed = r.bool();
    },
  });
  return out;
}

export interface DeckConfigFields {
  learnSteps: number[];
  relearnSteps: number[];
  newPerDay: number;
  reviewsPerDay: number;
  maxInterval: number;
  graduatingInterval: number;
  easyInterval: number;
  leechThreshold: number;
  /** Anki's LeechAction: 0 suspend, 1 tag only. */
  leechAction: number;
  buryNew: boolean;
  buryReviews: boolean;
  desiredRetention: number;
}

/** Fields the blob leaves out are proto3's zeros; the caller puts Anki's defaults in their place. */
export function readDeckConfig(bytes: Uint8Array): DeckConfigFields {
  const out: DeckConfigFields = {
    learnSteps: [],
    relearnSteps: [],
    newPerDay: 0,
    reviewsPerDay: 0,
    maxInterval: 0,
    graduatingInterval: 0,
    easyInterval: 0,
    leechThreshold: 0,
    leechAction: 0,
    buryNew: false,
    buryReviews: false,
    desiredRetention: 0,
  };
  readMessage(bytes, "options preset", {
    1: (r, w) => floats(r, w, out.learnSteps),
    2: (r, w) => floats(r, w, out.relearnSteps),
    9: (r) => {
      out.newPerDay = r.uint32();
    },
    10: (r) => {
      out.reviewsPerDay = r.uint32();
    },
    16: (r) => {
      out.maxInterval = r.uint32();
    },
    18: (r) => {
      out.graduatingInterval = r.uint32();
    },
    19: (r) => {
      out.easyInterval = r.uint32();
    },
    21: (r) => {
      out.leechAction = r.int32();
    },
    22: (r) => {
      out.leechThreshold = r.uint32();
    },
    27: (r) => {
      out.buryNew = r.bool();
    },
    28: (r) => {
      out.buryReviews = r.bool();
    },
    37: (r) => {
      out.desiredRetention = r.float();
    },
  });
  return out;
}

/** PackageMetadata.version: 1 legacy collection.anki2, 2 legacy collection.anki21, 3 collection.anki21b. */
export function readPackageVersion(bytes: Uint8Array): number {
  let version = 0;
  readMessage(bytes, "package description (meta)", {
    1: (r) => {
      version = r.int32();
    },
  });
  return version;
}

export function writePackageVersion(version: number): Uint8Array {
  return new BinaryWriter().tag(1, WireType.Varint).int32(version).finish();
}

export interface MediaEntry {
  name: string;
  size: number;
  /** The entry's file name in the zip: its index unless the map says otherwise. */
  zipName: string;
}

/** MediaEntries: repeated MediaEntry { name = 1; size = 2; sha1 = 3; legacy_zip_filename = 255 }. */
export function readMediaEntries(bytes: Uint8Array): MediaEntry[] {
  const out: MediaEntry[] = [];
  readMessage(bytes, "media list", {
    1: (r) => {
      const entry: MediaEntry = { name: "", size: 0, zipName: String(out.length) };
      readMessage(r.bytes(), "media list", {
        1: (e) => {
          entry.name = e.string();
        },
        2: (e) => {
          entry.size = e.uint32();
        },
        255: (e) => {
          entry.zipName = String(e.uint32());
        },
      });
      out.push(entry);
    },
  });
  return out;
}
