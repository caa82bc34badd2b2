import { useEffect, useState } from "preact/hooks";

interface Props {
  initialRelayUrl: string;
  busy: boolean;
  onSignUp: (relayUrl: string, username: string, password: string, invitation: string) => void;
  onLogIn: (relayUrl: string, username: string, password: string) => void;
  /** The relay asked for an invitation code to create an account: the form offers a field for it. */
  askInvitation?: boolean;
}

export function SignInForm({ initialRelayUrl, busy, onSignUp, onLogIn, askInvitation = false }: Props) {
  const [relayUrl, setRelayUrl] = useState(initialRelayUrl);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [invitation, setInvitation] = useState("");
  // Once asked for, the field stays while the form is shown (the error that asked goes while the next try runs).
  const [invitationAsked, setInvitationAsked] = useState(askInvitation);
  useEffect(() => {
    if (askInvitation) setInvitationAsked(true);
  }, [askInvitation]);
  const submit = (action: Props["onSignUp"]) => (event: Event) => {
    event.preventDefault();
    action(relayUrl, username, password, invitation);
  };
  return (
    <form class="stack" onSubmit={submit(onLogIn)}>
      <label>
        Relay address
        <input
          name="relayUrl"
          type="url"
          placeholder="https://relay.example.com"
          value={relayUrl}
          onInput={(e) => setRelayUrl(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        Username
        <input
          name="username"
          autocomplete="username"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          required
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          required
        />
      </label>
      {invitationAsked && (
        <label>
          Invitation code (to create an account on this relay)
          <input
            name="invitation"
            autocomplete="off"
            value={invitation}
            onInput={(e) => setInvitation(e.currentTarget.value)}
          />
        </label>
      )}
      <div class="row">
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={submit(onSignUp)}>
          Create account
        </button>
      </div>
    </form>
  );
}
