import { browser } from "wxt/browser";
import { defineBackground } from "wxt/utils/define-background";
import { loadAccount, touchesAccount } from "../lib/account-store";
import { badgeFor, showBadge } from "../lib/badge";

export default defineBackground(() => {
  const refresh = async () => showBadge(badgeFor(await loadAccount()));
  browser.runtime.onStartup.addListener(refresh);
  browser.runtime.onInstalled.addListener(refresh);
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === "local" && touchesAccount(Object.keys(changes))) void refresh();
  });
  void refresh();
});
