// Firefox's card frame. Firefox 153 has no manifest sandbox pages, so public/card-page.html is an ordinary page
// of the extension that the popup loads in an <iframe sandbox="allow-scripts">: there it has an opaque origin, with
// no extension APIs and no IndexedDB, and its <meta> policy is the sandbox policy of wxt.config.ts. This script is
// classic (an opaque origin cannot load module scripts). Opened any other way, the page has the extension's
// powers, so it stays inert and says what it is for.
import { defineUnlistedScript } from "wxt/utils/define-unlisted-script";
import { runCardFrame } from "../lib/card-frame/run";

export default defineUnlistedScript({
  include: ["firefox"],
  main() {
    const sandboxed = window.origin === "null" && window.parent !== window;
    if (!sandboxed) {
      document.body.textContent = "This page shows cards inside the study screen of Flashcard Relay only.";
      return;
    }
    runCardFrame();
  },
});
