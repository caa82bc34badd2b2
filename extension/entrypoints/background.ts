import { browser } from "wxt/browser";
import { defineBackground } from "wxt/utils/define-background";
import { loadAccount } from "../lib/account-store";
import { badgeFor, showBadge } from "../lib/badge";
import { activeProfile, PROFILES_KEY } from "../lib/profiles";

export default defineBackground(() => {
  const refresh = async () => showBadge(badgeFor(await loadAccount((await activeProfile()).id)));
  browser.runtime.onStartup.addListener(refresh);
  browser.runtime.onInstalled.addListener(refresh);
  browser.storage.onChanged.addListener((changes, area) => {
    const keys = Object.keys(changes);
    if (area === "local" && keys.some((k) => k === PROFILES_KEY || k.endsWith(":account"))) void refresh();
  });
  void refresh();
});
