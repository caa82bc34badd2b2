import { useEffect, useState } from "preact/hooks";
import { Lazy } from "../lazy";
import { ProfileSelect } from "../profile-select";
import { useCollection } from "../use-collection";
import { useProfiles } from "../use-profiles";
import { AccountSection } from "./account-section";
import { AddSection } from "./add-section";
import { BrowseSection } from "./browse-section";
import { DecksSection } from "./decks-section";
import { NoteTypesSection } from "./notetypes-section";
import { ProfilesSection } from "./profiles-section";
import { SyncSection } from "./sync-section";
import "./manager.css";

const SECTIONS = {
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
type Section = keyof typeof SECTIONS;

// Deck options validate with the shared schemas (zod), which the other sections do not need at open.
const loadPresets = () => import("./presets-section").then((m) => m.PresetsSection);
// Media and Check Media: loaded when the section is opened.
const loadMedia = () => import("./media-section").then((m) => m.MediaSection);
// Anki packages need SQLite (WebAssembly), zip and zstd: loaded only when the section is opened.
const loadPackages = () => import("./packages-section").then((m) => m.PackagesSection);

/** "#browse?q=nid:1" → the section and its search, so other pages can link here. */
function readHash(): { section: Section; query: string } {
  const [name = "", params = ""] = location.hash.slice(1).split("?");
  const section = (name in SECTIONS ? name : "browse") as Section;
  return { section, query: new URLSearchParams(params).get("q") ?? "" };
}

/** The full-page manager: browse, add and edit the collection, and the account and profiles. */
export function ManagerPage() {
  const [route, setRoute] = useState(readHash);
  const profiles = useProfiles();
  const profileId = profiles.active?.id ?? null;
  const { col, version, changed, error } = useCollection(profileId);

  useEffect(() => {
    const listener = () => setRoute(readHash());
    window.addEventListener("hashchange", listener);
    return () => window.removeEventListener("hashchange", listener);
  }, []);

  const props = col ? { col, version, changed } : null;
  return (
    <div class="manager">
      <header class="manager-header row">
        <h1>Flashcard Relay</h1>
        <span class="grow" />
        <ProfileSelect profiles={profiles} caption />
      </header>
      <nav class="manager-nav" aria-label="Sections">
        {(Object.keys(SECTIONS) as Section[]).map((key) => (
          <a key={key} href={`#${key}`} aria-current={route.section === key ? "page" : undefined}>
            {SECTIONS[key]}
          </a>
        ))}
      </nav>
      <main class="manager-main" key={profileId ?? "none"}>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {route.section === "account" && profileId && <AccountSection profileId={profileId} />}
        {route.section === "profiles" && <ProfilesSection profiles={profiles} />}
        {route.section === "sync" && profileId && <SyncSection profileId={profileId} changed={changed} />}
        {props && route.section === "browse" && (
          <BrowseSection key={route.query} {...props} initialQuery={route.query} />
        )}
        {props && route.section === "add" && <AddSection {...props} />}
        {props && route.section === "decks" && <DecksSection {...props} />}
        {props && route.section === "notetypes" && <NoteTypesSection {...props} />}
        {props && route.section === "presets" && <Lazy load={loadPresets} props={props} />}
        {props && route.section === "packages" && <Lazy load={loadPackages} props={props} />}
        {props && route.section === "media" && <Lazy load={loadMedia} props={props} />}
      </main>
    </div>
  );
}
