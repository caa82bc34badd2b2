// What the manager needs before its first page can show, asked for by the page's first script while the rest of its
// code loads: the profile list, the active profile's collection (opened here, once, for the whole page) and, when the
// page opens on Browse, the first page of its search. Only this module and what it imports load before the reads
// start; the sections come after.
import { Collection, type Outcome } from "../../lib/collection/collection";
import { type SearchOptions, type SearchResult, search } from "../../lib/collection/search";
import { loadProfiles, type ProfileList } from "../../lib/profiles";

export const SECTIONS = {
  browse: "Browse",
  add: "Add",
  decks: "Decks",
  notetypes: "Note types",
  presets: "Deck options",
  packages: "Import / Export",
  media: "Media",
  sync: "Sync",
  account: "Account",
  profiles: "Profiles",
} as const;
export type Section = keyof typeof SECTIONS;

/** "#browse?q=nid:1" → the section and its search, so other pages can link here. */
export function readHash(hash: string): { section: Section; query: string } {
  const [name = "", params = ""] = hash.slice(1).split("?");
  const section = (name in SECTIONS ? name : "browse") as Section;
  return { section, query: new URLSearchParams(params).get("q") ?? "" };
}

/** Rows per page in Browse. */
export const PAGE = 50;

/** Browse's search when it opens: cards in creation order, the first page, the count left for later. */
export const FIRST_PAGE = {
  mode: "cards",
  sort: "created",
  descending: false,
  offset: 0,
  limit: PAGE,
  countTotal: false,
} as const satisfies SearchOptions;

export interface ManagerStart {
  profiles: ProfileList;
  /** The active profile's collection, open; null when it could not be opened (the page tries again and says why). */
  col: Collection | null;
  /** Browse's first page for `query` in this collection, already asked for; null when the page opens elsewhere. */
  firstPage: { query: string; result: Promise<Outcome<SearchResult>> } | null;
}

/** Loads the profile list and opens the active collection; on Browse, starts reading its first page. */
export async function startManager(hash: string): Promise<ManagerStart> {
  const profiles = await loadProfiles();
  const col = await Collection.open(profiles.active).catch(() => null);
  const route = readHash(hash);
  const firstPage =
    col && route.section === "browse" ? { query: route.query, result: search(col, route.query, FIRST_PAGE) } : null;
  return { profiles, col, firstPage };
}

/**
 * Browse's first page as read at startup, for the search and collection it was read for, and only once: a later
 * search, or Browse opened again, reads afresh.
 */
export function takeFirstPage(
  start: ManagerStart,
  col: Collection,
  query: string,
): Promise<Outcome<SearchResult>> | null {
  const first = start.firstPage;
  start.firstPage = null;
  return first && col === start.col && first.query === query ? first.result : null;
}
