import { useState } from "preact/hooks";

interface Props {
  initialRelayUrl: string;
  busy: boolean;
  onSignUp: (relayUrl: string, username: string, password: string) => void;
  onLogIn: (relayUrl: string, username: string, password: string) => void;
}

export function SignInForm({ initialRelayUrl, busy, onSignUp, onLogIn }: Props) {
  const [relayUrl, setRelayUrl] = useState(initialRelayUrl);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = (action: Props["onLogIn"]) => (event: Event) => {
    event.preventDefault();
    action(relayUrl, username, password);
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
