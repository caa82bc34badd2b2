// What Anki keeps of note types, fields, templates, decks and presets beyond this project's model, read from the
// protobuf `config` blobs of its newer collections (schema 15 and later) into the keys of its schema-11 JSON, the
// form Anki's sync carries them in. Records keep it as `anki` (shared/schemas.ts), so that a collection uploaded
// from Anki goes back to Anki's apps with its FSRS parameters, orders, limits and field options.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { fail } from "./errors";

type Json = Record<string, unknown>;
type Kind = "float" | "floats" | "uint" | "int" | "int64" | "bool" | "string" | "bytes";
/** A field of a message: the JSON key it goes to ("a.b" for a nested one), its type, and a conversion. */
type Spec = Record<number, [key: string, kind: Kind, convert?: (value: never) => unknown]>;

/** A float32 as the shortest decimal that reads back as it (0.9, not 0.8999999761581421), as Anki writes it. */
function shortest(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function readValue(reader: BinaryReader, wireType: WireType, kind: Kind): unknown {
  switch (kind) {
    case "float":
      return shortest(reader.float());
    case "floats": {
      const out: number[] = [];
      if (wireType !== WireType.LengthDelimited) return [shortest(reader.float())];
      const packed = new BinaryReader(reader.bytes());
      while (packed.pos < packed.len) out.push(shortest(packed.float()));
      return out;
    }
    case "uint":
      return reader.uint32();
    case "int":
      return reader.int32();
    case "int64":
      return Number(reader.int64());
    case "bool":
      return reader.bool();
    case "string":
      return reader.string();
    case "bytes":
      return reader.bytes();
  }
}

function setPath(out: Json, key: string, value: unknown): void {
  const parts = key.split(".");
  let at = out;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (!next || typeof next !== "object" || Array.isArray(next)) at[part] = {};
    at = at[part] as Json;
  }
  const last = parts[parts.length - 1] ?? key;
  // A repeated field may come in several pieces.
  const existing = at[last];
  at[last] = Array.isArray(existing) && Array.isArray(value) ? [...existing, ...value] : value;
}

/** Anki's `other` field (255): the JSON keys of the record that no field of the message holds. */
function other(bytes: Uint8Array): Json {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
  } catch {
    return {};
  }
}

/** Reads a message into `out` by `spec`; unknown fields are skipped, `other` is merged beneath. */
function readInto(bytes: Uint8Array, what: string, spec: Spec, out: Json): Json {
  const reader = new BinaryReader(bytes);
  let rest: Json = {};
  try {
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      const entry = spec[field];
      if (field === 255 && wireType === WireType.LengthDelimited) rest = other(reader.bytes());
      else if (entry) {
        const [key, kind, convert] = entry;
        const value = readValue(reader, wireType, kind);
        setPath(out, key, convert ? convert(value as never) : value);
      } else reader.skip(wireType, field);
    }
  } catch {
    fail(`The ${what} in the collection is damaged (its protobuf data does not decode).`);
  }
  return { ...rest, ...out };
}

const REQUIREMENT = ["none", "any", "all"];

/** Keys of Anki's JSON of a record that this project's model holds itself: they are not kept twice. */
const MODELLED: Record<"notetype" | "field" | "template" | "deck" | "deckconfig", string[]> = {
  notetype: ["id", "name", "mod", "usn", "type", "sortf", "css", "latexPre", "latexPost", "flds", "tmpls"],
  field: ["ord", "sticky", "rtl", "font", "size", "description"],
  template: ["ord", "qfmt", "afmt", "bqfmt", "bafmt", "did"],
  deck: ["id", "name", "mod", "usn", "conf", "desc", "collapsed", "dyn", "terms", "resched"],
  deckconfig: ["id", "name", "mod", "usn"],
};

function without(json: Json, keys: string[]): Json {
  const out = { ...json };
  for (const key of keys) delete out[key];
  return out;
}

/**
 * What to keep of a record of Anki's schema-11 JSON (from a schema-11 file or Anki's sync): every key the model
 * does not hold; a note type's fields and templates by name, with their own such keys.
 */
export function jsonExtra(kind: "notetype" | "deck" | "deckconfig", json: Json): Json {
  const out = without(json, MODELLED[kind]);
  if (kind === "notetype") {
    const list = (value: unknown, of: "field" | "template") =>
      (Array.isArray(value) ? value : []).map((item) => without((item ?? {}) as Json, MODELLED[of]));
    out.flds = list(json.flds, "field");
    out.tmpls = list(json.tmpls, "template");
  }
  return out;
}

/** A note type's config beyond kind, sort field, CSS and LaTeX: `latexsvg`, `req`, its stock kind and origin. */
export function notetypeExtra(bytes: Uint8Array): Json {
  const reqs: unknown[] = [];
  const out = readInto(
    bytes,
    "note type",
    {
      7: ["latexsvg", "bool"],
      8: ["_req", "bytes", (b: Uint8Array) => reqs.push(requirement(b))],
      9: ["originalStockKind", "int"],
      10: ["originalId", "int64"],
    },
    { latexsvg: false },
  );
  delete out._req;
  return { ...out, req: reqs };
}

function requirement(bytes: Uint8Array): unknown[] {
  const read = readInto(bytes, "note type", { 1: ["ord", "uint"], 2: ["kind", "int"] }, {});
  // field_ords, packed or not.
  const fields: number[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 3 && wireType === WireType.LengthDelimited) {
      const packed = new BinaryReader(reader.bytes());
      while (packed.pos < packed.len) fields.push(packed.uint32());
    } else if (field === 3) fields.push(reader.uint32());
    else reader.skip(wireType, field);
  }
  return [read.ord ?? 0, REQUIREMENT[Number(read.kind ?? 0)] ?? "none", fields];
}

/** A field's options beyond sticky, direction, font and description. */
export function fieldExtra(bytes: Uint8Array): Json {
  return readInto(
    bytes,
    "field",
    {
      6: ["plainText", "bool"],
      7: ["collapsed", "bool"],
      8: ["excludeFromSearch", "bool"],
      9: ["id", "int64"],
      10: ["tag", "uint"],
      11: ["preventDeletion", "bool"],
    },
    { plainText: false, collapsed: false, excludeFromSearch: false, preventDeletion: false },
  );
}

/** A template's options beyond its formats and deck: the browser's font, and its id. */
export function templateExtra(bytes: Uint8Array): Json {
  return readInto(
    bytes,
    "card template",
    { 6: ["bfont", "string"], 7: ["bsize", "uint"], 8: ["id", "int64"] },
    {
      bfont: "",
      bsize: 0,
    },
  );
}

/** A deck's state and limits beyond its name, preset, description and collapsed state. */
export function deckExtra(common: Uint8Array, kind: Uint8Array): Json {
  const today = readInto(
    common,
    "deck",
    {
      2: ["browserCollapsed", "bool"],
      3: ["day", "uint"],
      4: ["new", "int"],
      5: ["rev", "int"],
      6: ["lrn", "int"],
      7: ["ms", "int"],
    },
    { browserCollapsed: false },
  );
  const day = Number(today.day ?? 0);
  const { day: _d, new: n, rev, lrn, ms, ...common11 } = today;
  const out: Json = {
    ...common11,
    newToday: [day, Number(n ?? 0)],
    revToday: [day, Number(rev ?? 0)],
    lrnToday: [day, Number(lrn ?? 0)],
    timeToday: [day, Number(ms ?? 0)],
  };
  const limit = (b: Uint8Array) =>
    readInto(b, "deck", { 1: ["limit", "uint"], 2: ["today", "uint"] }, { limit: 0, today: 0 });
  const reader = new BinaryReader(kind);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      Object.assign(
        out,
        readInto(
          reader.bytes(),
          "deck",
          {
            2: ["extendNew", "uint"],
            3: ["extendRev", "uint"],
            5: ["md", "bool"],
            6: ["reviewLimit", "uint"],
            7: ["newLimit", "uint"],
            8: ["reviewLimitToday", "bytes", limit],
            9: ["newLimitToday", "bytes", limit],
            10: ["desiredRetention", "float"],
          },
          {
            extendNew: 0,
            extendRev: 0,
            md: false,
            reviewLimit: null,
            newLimit: null,
            reviewLimitToday: null,
            newLimitToday: null,
            desiredRetention: null,
          },
        ),
      );
    } else if (field === 2 && wireType === WireType.LengthDelimited) {
      Object.assign(
        out,
        readInto(
          reader.bytes(),
          "filtered deck",
          {
            3: ["delays", "floats"],
            4: ["previewDelay", "uint"],
            7: ["previewAgainSecs", "uint"],
            5: ["previewHardSecs", "uint"],
            6: ["previewGoodSecs", "uint"],
          },
          { previewDelay: 0, previewAgainSecs: 0, previewHardSecs: 0, previewGoodSecs: 0 },
        ),
      );
    } else reader.skip(wireType, field);
  }
  return out;
}

/** A preset in full, as Anki's schema-11 JSON has it (without id, name, mod and usn). */
export function deckConfigJson(bytes: Uint8Array): Json {
  const ints = [0, 0, 0];
  const out = readInto(
    bytes,
    "options preset",
    {
      1: ["new.delays", "floats"],
      2: ["lapse.delays", "floats"],
      3: ["fsrsWeights", "floats"],
      4: ["easyDaysPercentages", "floats"],
      5: ["fsrsParams5", "floats"],
      6: ["fsrsParams6", "floats"],
      9: ["new.perDay", "uint"],
      10: ["rev.perDay", "uint"],
      11: ["new.initialFactor", "float", (x: number) => Math.round(x * 1000)],
      12: ["rev.ease4", "float"],
      13: ["rev.hardFactor", "float"],
      14: ["lapse.mult", "float"],
      15: ["rev.ivlFct", "float"],
      16: ["rev.maxIvl", "uint"],
      17: ["lapse.minInt", "uint"],
      18: ["_good", "uint", (x: number) => (ints[0] = x)],
      19: ["_easy", "uint", (x: number) => (ints[1] = x)],
      20: ["new.order", "int"],
      21: ["lapse.leechAction", "int"],
      22: ["lapse.leechFails", "uint"],
      23: ["autoplay", "bool", (x: boolean) => !x],
      24: ["maxTaken", "uint"],
      25: ["timer", "bool", (x: boolean) => (x ? 1 : 0)],
      26: ["replayq", "bool", (x: boolean) => !x],
      27: ["new.bury", "bool"],
      28: ["rev.bury", "bool"],
      29: ["buryInterdayLearning", "bool"],
      30: ["newMix", "int"],
      31: ["interdayLearningMix", "int"],
      32: ["newSortOrder", "int"],
      33: ["reviewOrder", "int"],
      34: ["newGatherPriority", "int"],
      35: ["newPerDayMinimum", "uint"],
      36: ["questionAction", "int"],
      37: ["desiredRetention", "float"],
      38: ["stopTimerOnAnswer", "bool"],
      40: ["sm2Retention", "float"],
      41: ["secondsToShowQuestion", "float"],
      42: ["secondsToShowAnswer", "float"],
      43: ["answerAction", "int"],
      44: ["waitForAudio", "bool"],
      45: ["weightSearch", "string"],
      46: ["ignoreRevlogsBeforeDate", "string"],
    },
    {
      new: { delays: [], perDay: 0, initialFactor: 0, order: 0, bury: false },
      rev: { perDay: 0, ease4: 0, hardFactor: 0, ivlFct: 0, maxIvl: 0, bury: false },
      lapse: { delays: [], mult: 0, minInt: 0, leechAction: 0, leechFails: 0 },
      autoplay: true,
      maxTaken: 0,
      timer: 0,
      replayq: true,
      dyn: false,
      fsrsWeights: [],
      fsrsParams5: [],
      fsrsParams6: [],
      easyDaysPercentages: [],
      buryInterdayLearning: false,
      newMix: 0,
      interdayLearningMix: 0,
      newSortOrder: 0,
      reviewOrder: 0,
      newGatherPriority: 0,
      newPerDayMinimum: 0,
      questionAction: 0,
      desiredRetention: 0,
      stopTimerOnAnswer: false,
      sm2Retention: 0,
      secondsToShowQuestion: 0,
      secondsToShowAnswer: 0,
      answerAction: 0,
      waitForAudio: false,
      weightSearch: "",
      ignoreRevlogsBeforeDate: "",
    },
  );
  delete out._good;
  delete out._easy;
  (out.new as Json).ints = ints;
  return out;
}
