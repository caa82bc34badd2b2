import { useEffect, useState } from "preact/hooks";
import { Lazy } from "../lazy";
import { ProfileSelect } from "../profile-select";
import { useCollection } from "../use-collection";
import { useProfiles } from "../use-profiles";
import { BrowseSection } from "./browse-section";
import { type ManagerStart, readHash, SECTIONS, type Section, takeFirstPage } from "./startup";
import "./manager.css";

// Browse is the page's first view and comes with it; every other section is loaded when it is first opened, so that
// the page opens without their code (and without what they import: the sync engine, zod, SQLite, zip).
const loadAdd = () => import("./add-section").then((m) => m.AddSection);
const loadDecks = () => import("./decks-section").then((m) => m.DecksSection);
const loadNoteTypes = () => import("./notetypes-section").then((m) => m.NoteTypesSection);
const loadPresets = () => import("./presets-section").then((m) => m.PresetsSection);
const loadPackages = () => import("./packages-section").then((m) => m.PackagesSection);
const loadMedia = () => import("./media-section").then((m) => m.MediaSection);
const loadSync = () => import("./sync-section").then((m) => m.SyncSection);
const loadAccount = () => import("./account-section").then((m) => m.AccountSection);
const loadProfilesSection = () => import("./profiles-section").then((m) => m.ProfilesSection);

/** The full-page manager: browse, add and edit the collection, and the account and profiles. */
export function ManagerPage({ start }: { start: ManagerStart }) {
  const [route, setRoute] = useState(() => readHash(location.hash));
  const profiles = useProfiles(start.profiles);
  const profileId = profiles.active?.id ?? null;
  const { col, version, changed, error } = useCollection(profileId, start.col);

  useEffect(() => {
    const listener = () => setRoute(readHash(location.hash));
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
        {route.section === "account" && profileId && <Lazy load={loadAccount} props={{ profileId }} />}
        {route.section === "profiles" && <Lazy load={loadProfilesSection} props={{ profiles }} />}
        {route.section === "sync" && profileId && <Lazy load={loadSync} props={{ profileId, changed }} />}
        {props && route.section === "browse" && (
          <BrowseSection
            key={route.query}
            {...props}
            initialQuery={route.query}
            firstPage={(query) => takeFirstPage(start, props.col, query)}
          />
        )}
        {props && route.section === "add" && <Lazy load={loadAdd} props={props} />}
        {props && route.section === "decks" && <Lazy load={loadDecks} props={props} />}
        {props && route.section === "notetypes" && <Lazy load={loadNoteTypes} props={props} />}
        {props && route.section === "presets" && <Lazy load={loadPresets} props={props} />}
        {props && route.section === "packages" && <Lazy load={loadPackages} props={props} />}
        {props && route.section === "media" && <Lazy load={loadMedia} props={props} />}
      </main>
    </div>
  );
}
