import { browser } from "wxt/browser";
import { useAccount } from "./use-account";
import "./popup-page.css";

export function PopupPage() {
  const { state } = useAccount();
  const openOptions = () => void browser.runtime.openOptionsPage();
  return (
    <main class="popup">
      <header class="row">
        <strong>Flashcard Relay</strong>
      </header>
      {!state.loaded ? null : state.account ? (
        <p data-testid="who">
          Signed in as <strong>{state.account.username}</strong>
          <br />
          <span class="muted">{state.account.relayUrl}</span>
        </p>
      ) : (
        <div class="stack">
          <p data-testid="who">Not signed in. Sign in to sync your collection across browsers.</p>
          <button type="button" onClick={openOptions}>
            Sign in…
          </button>
        </div>
      )}
      <footer>
        <button type="button" class="secondary" onClick={openOptions}>
          Options
        </button>
      </footer>
    </main>
  );
}
