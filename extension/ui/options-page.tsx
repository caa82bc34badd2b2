import { Messages } from "./messages";
import { SignInForm } from "./sign-in-form";
import { SignedInPanel } from "./signed-in-panel";
import { useAccount } from "./use-account";
import "./options-page.css";

export function OptionsPage() {
  const { state, signUp, logIn, logOut, deleteAccount } = useAccount();
  return (
    <main class="options">
      <h1>Flashcard Relay</h1>
      <h2>Account</h2>
      <p class="muted">
        Your collection syncs through a relay you run on Cloudflare Workers. Enter its address and sign in; the same
        account syncs every browser you use.
      </p>
      {!state.loaded ? null : state.account ? (
        <SignedInPanel account={state.account} busy={state.busy} onLogOut={logOut} onDelete={deleteAccount} />
      ) : (
        <SignInForm initialRelayUrl={state.relayUrl} busy={state.busy} onSignUp={signUp} onLogIn={logIn} />
      )}
      <Messages error={state.error} notice={state.notice} />
    </main>
  );
}
