import { useState } from "preact/hooks";
import type { SignedInAccount } from "../lib/account-store";

interface Props {
  account: SignedInAccount;
  busy: boolean;
  onLogOut: () => void;
  onDelete: (password: string) => void;
}

export function SignedInPanel({ account, busy, onLogOut, onDelete }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [password, setPassword] = useState("");
  return (
    <div class="stack">
      <p class="signed-in">
        Signed in as <strong data-testid="username">{account.username}</strong> on <code>{account.relayUrl}</code>
      </p>
      <div class="row">
        <button type="button" disabled={busy} onClick={onLogOut}>
          Log out
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
          Delete account…
        </button>
      </div>
      {confirming && (
        <form
          class="stack danger-zone"
          onSubmit={(e) => {
            e.preventDefault();
            onDelete(password);
          }}
        >
          <p>
            This deletes the account and everything it holds on the relay. Your collection in this browser stays. Enter
            your password to confirm.
          </p>
          <input
            name="confirmPassword"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
          <div class="row">
            <button type="submit" class="danger" disabled={busy}>
              Delete the account
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
