import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";

export default defineConfig({
  srcDir: "extension",
  // Files copied into the build as they are (Firefox's card page).
  publicDir: "extension/public",
  // The e2e and bench runs build into their own folders, so that a build never changes under a running browser.
  outDir: process.env.WXT_OUT_DIR ?? (process.env.WXT_BENCH === "1" ? ".output-bench" : ".output"),
  // Explicit imports everywhere: a reader sees where every name comes from.
  imports: false,
  manifest: {
    name: "Flashcard Relay",
    description: "Study your Anki-style flashcards in the browser and sync them through your own relay.",
    // No host permissions: the relay answers with CORS headers, so the extension reads only its own relay.
    // alarms: automatic sync every few minutes while changes wait. unlimitedStorage: no quota of a web page on the
    // collection, and persistent storage, so that the browser never clears it to free disk space.
    permissions: ["storage", "alarms", "unlimitedStorage"],
    action: { default_title: "Flashcard Relay" },
    // The card frame (card.html) runs each card's own HTML and scripts in a sandbox: an opaque origin without
    // extension APIs or IndexedDB, and no network at all; images and sounds come from the study screen as bytes.
    content_security_policy: {
      // Extension pages as MV3's default, with WebAssembly allowed (SQLite for Anki packages, sql.js). Naming the
      // sandbox policy drops the default, so it is written out here. frame-src: the card frame may hold only the
      // extension's own pages, so a card that sends its frame to an outside address is stopped before any request.
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'; frame-src 'self';",
      sandbox:
        "sandbox allow-scripts; default-src 'none'; script-src 'self' 'unsafe-inline'; " +
        "style-src 'self' 'unsafe-inline'; img-src blob: data:; media-src blob: data:; font-src blob: data:",
    },
  },
  vite: () => ({ plugins: [preact()] }),
  hooks: {
    // The benchmark harness page exists only in builds made by `npm run bench`.
    "entrypoints:resolved": (_wxt, entrypoints) => {
      if (process.env.WXT_BENCH === "1") return;
      const index = entrypoints.findIndex((e) => e.name === "bench");
      if (index !== -1) entrypoints.splice(index, 1);
    },
  },
});
