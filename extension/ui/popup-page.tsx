import { useEffect, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import type { Deck } from "../../shared/model";
import { connectPopupLifecycle } from "../lib/auto-sync";
import { DeckList } from "./deck-list";
import { OneWayPrompt } from "./one-way-prompt";
import { ProfileSelect } from "./profile-select";
import { CardFrame, type FrameContent, type FrameHost, replayInFrame } from "./study/card-frame";
import { StudyView } from "./study/study-view";
import { useAccount } from "./use-account";
import { useCollection } from "./use-collection";
import { useProfiles } from "./use-profiles";
import { describeStatus, useSync } from "./use-sync";
import "./popup-page.css";

export function PopupPage() {
  const profiles = useProfiles();
  const profile = profiles.active;
  // Opening and closing the popup opens and closes the collection: the background syncs on both, as Anki does.
  useEffect(() => (profile ? connectPopupLifecycle(profile.id) : undefined), [profile?.id]);
  const { col, version, changed } = useCollection(profile?.id ?? null);
  const [studying, setStudying] = useState<Deck | null>(null);
  const [frameContent, setFrameContent] = useState<FrameContent | null>(null);
  const home = useRef<HTMLElement>(null);
  const cardFrame = useRef<HTMLIFrameElement | null>(null);
  const host = useRef<FrameHost>({
    show: setFrameContent,
    events: {
      current: {
        onTyped: () => undefined,
        onShown: () => undefined,
        onKey: () => undefined,
        onStopped: () => undefined,
      },
    },
    focusHome: () => home.current?.focus(),
    replay: () => replayInFrame(cardFrame.current),
  }).current;
  // The card frame loads with the popup, hidden, so that choosing a deck shows its first card at once. It stays
  // at one place in the page (CSS puts it between the study screen's header and buttons) and is never reloaded.
  const frame = (
    <CardFrame content={frameContent} hidden={!studying || !frameContent} events={host.events} frameRef={cardFrame} />
  );
  const studyingNow = Boolean(col && studying);
  const deckScreen = (
    <>
      <header class="row">
        <strong class="grow">Flashcard Relay</strong>
        <ProfileSelect profiles={profiles} />
      </header>
      {profile && (
        <DeckList
          key={`decks-${profile.id}`}
          profileId={profile.id}
          col={col}
          version={version}
          changed={changed}
          onStudy={(deck) => {
            // For `npm run bench`: the moment a deck was chosen.
            performance.mark("popup:deck-chosen");
            setStudying(deck);
          }}
        />
      )}
      {profile && <AccountLine key={profile.id} profileId={profile.id} />}
      <footer class="row">
        <button type="button" class="secondary" onClick={() => openManager("browse")}>
          Browse
        </button>
        <button type="button" class="secondary" onClick={() => openManager("add")}>
          Add
        </button>
      </footer>
    </>
  );
  return (
    <main class={studyingNow ? "popup studying" : "popup"} ref={home} tabIndex={-1}>
      {frame}
      {col && studying ? (
        <StudyView
          key={`${profile?.id}-${studying.id}`}
          col={col}
          deckId={studying.id}
          deckName={studying.name}
          changed={changed}
          onExit={() => setStudying(null)}
          onEdit={(noteId) => openManager(`browse?q=${encodeURIComponent(`nid:${noteId}`)}`)}
          host={host}
        />
      ) : (
        deckScreen
      )}
      {studyingNow && profile && <SyncKey profileId={profile.id} />}
    </main>
  );
}

/** "y" syncs, as in Anki, on the deck list and while studying. */
function useSyncKey(profileId: string, signedIn: boolean, sync: () => Promise<void>) {
  useEffect(() => {
    if (!signedIn) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "y" && !event.ctrlKey && !event.metaKey && !(event.target instanceof HTMLInputElement))
        void sync();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [signedIn, profileId]);
}

function SyncKey({ profileId }: { profileId: string }) {
  const { state } = useAccount(profileId);
  const { sync } = useSync(profileId);
  useSyncKey(profileId, Boolean(state.account), () => sync());
  return null;
}

function AccountLine({ profileId }: { profileId: string }) {
  const { state } = useAccount(profileId);
  const { status, busy, sync } = useSync(profileId);
  // Cancel hides the one-way prompt until the next sync asks again.
  const [promptHidden, setPromptHidden] = useState(false);
  const syncAgain = async () => {
    setPromptHidden(false);
    await sync();
  };
  useSyncKey(profileId, Boolean(state.account), syncAgain);
  if (!state.loaded) return null;
  if (state.account) {
    return (
      <div class="stack">
        <p data-testid="who">
          Signed in as <strong>{state.account.username}</strong>
          <br />
          <span class="muted">{state.account.relayUrl}</span>
        </p>
        <div class="row">
          <button type="button" disabled={busy} onClick={() => void syncAgain()}>
            Sync
          </button>
          <span data-testid="sync-status" class={status?.state === "error" ? "error" : "muted"}>
            {busy && status?.state !== "syncing" ? "Syncing…" : describeStatus(status)}
          </span>
        </div>
        {status?.state === "needs-choice" && status.choice && !promptHidden && (
          <OneWayPrompt
            status={status}
            busy={busy}
            onChoose={async (choice, allowEmpty) => {
              await sync(choice, allowEmpty);
            }}
            onCancel={() => setPromptHidden(true)}
          />
        )}
        {status?.state === "needs-choice" && promptHidden && (
          <p class="muted" data-testid="prompt-cancelled">
            Nothing was changed. A one-way sync is still needed: the next sync asks again.
          </p>
        )}
      </div>
    );
  }
  return (
    <div class="stack">
      <p data-testid="who">Not signed in. Sign in to sync your collection across browsers.</p>
      <button type="button" onClick={() => openManager("account")}>
        Sign in…
      </button>
    </div>
  );
}

/** Opens the manager (the options page) on a section, in a tab. */
export function openManager(section: string): void {
  void browser.tabs.create({ url: browser.runtime.getURL(`/options.html#${section}`) });
}
