// The state and actions behind the sign-in screens. Components stay dumb; everything with effects is here.
import { useCallback, useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { parseRelayUrl } from "../../shared/relay-url";
import {
  clearAccount,
  loadAccount,
  loadRelayUrl,
  type SignedInAccount,
  saveAccount,
  saveRelayUrl,
} from "../lib/account-store";
import { RelayClient } from "../lib/relay-client";

export interface AccountState {
  loaded: boolean;
  account: SignedInAccount | null;
  relayUrl: string;
  busy: boolean;
  error: string | null;
  notice: string | null;
}

export function useAccount(profileId: string) {
  const [state, setState] = useState<AccountState>({
    loaded: false,
    account: null,
    relayUrl: "",
    busy: false,
    error: null,
    notice: null,
  });

  const reload = useCallback(async () => {
    const [account, relayUrl] = await Promise.all([loadAccount(profileId), loadRelayUrl(profileId)]);
    setState((s) => ({ ...s, loaded: true, account, relayUrl: account?.relayUrl ?? relayUrl }));
  }, [profileId]);

  useEffect(() => {
    void reload();
    const listener = () => void reload();
    browser.storage.onChanged.addListener(listener);
    return () => browser.storage.onChanged.removeListener(listener);
  }, [reload]);

  const run = async (work: () => Promise<string | null>) => {
    setState((s) => ({ ...s, busy: true, error: null, notice: null }));
    let error: string | null = null;
    let notice: string | null = null;
    try {
      notice = await work();
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    setState((s) => ({ ...s, busy: false, error, notice }));
  };

  const enter =
    (kind: "signUp" | "logIn") =>
    (relayInput: string, username: string, password: string, invitation = "") =>
      run(async () => {
        const relay = parseRelayUrl(relayInput);
        if (!relay.ok) throw new Error(relay.error);
        const client = new RelayClient(relay.value);
        const result =
          kind === "signUp"
            ? await client.signUp(username, password, invitation.trim())
            : await client.logIn(username, password);
        if (!result.ok) throw new Error(result.error);
        await saveRelayUrl(relay.value, profileId);
        await saveAccount(
          { relayUrl: relay.value, username: result.value.username, token: result.value.token },
          profileId,
        );
        return kind === "signUp" ? `Account created. Signed in as ${result.value.username}.` : null;
      });

  const logOut = () =>
    run(async () => {
      const account = state.account;
      if (!account) return null;
      const result = await new RelayClient(account.relayUrl, account.token).logOut();
      await clearAccount(profileId);
      if (!result.ok && result.status !== 401) {
        return `Signed out on this browser. The relay could not be told (${result.error}), so the old sign-in stays valid there until it expires.`;
      }
      return "Signed out.";
    });

  const deleteAccount = (password: string) =>
    run(async () => {
      const account = state.account;
      if (!account) return null;
      const result = await new RelayClient(account.relayUrl, account.token).deleteAccount(password);
      if (!result.ok) throw new Error(result.error);
      await clearAccount(profileId);
      return `The account ${account.username} and everything it held on the relay are deleted.`;
    });

  return {
    state,
    signUp: enter("signUp"),
    logIn: enter("logIn"),
    logOut,
    deleteAccount,
  };
}
