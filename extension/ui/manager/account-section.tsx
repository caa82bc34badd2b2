import { Messages } from "../messages";
import { SignInForm } from "../sign-in-form";
import { SignedInPanel } from "../signed-in-panel";
import { useAccount } from "../use-account";

export function AccountSection({ profileId }: { profileId: string }) {
  const { state, signUp, logIn, logOut, deleteAccount } = useAccount(profileId);
  return (
    <div class="stack narrow">
      <p class="muted">
        Your collection syncs through a relay you run on Cloudflare Workers. Enter its address and sign in; the same
        account syncs every browser you use.
      </p>
      {!state.loaded ? null : state.account ? (
        <SignedInPanel account={state.account} busy={state.busy} onLogOut={logOut} onDelete={deleteAccount} />
      ) : (
        <SignInForm
          key={profileId}
          initialRelayUrl={state.relayUrl}
          busy={state.busy}
          onSignUp={signUp}
          onLogIn={logIn}
          askInvitation={/invitation code/.test(state.error ?? "")}
        />
      )}
      <Messages error={state.error} notice={state.notice} />
    </div>
  );
}
