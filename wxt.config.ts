import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";

export default defineConfig({
  srcDir: "extension",
  outDir: ".output",
  // Explicit imports everywhere: a reader sees where every name comes from.
  imports: false,
  manifest: {
    name: "Flashcard Relay",
    description: "Study your Anki-style flashcards in the browser and sync them through your own relay.",
    // No host permissions: the relay answers with CORS headers, so the extension reads only its own relay.
    permissions: ["storage"],
    action: { default_title: "Flashcard Relay" },
  },
  vite: () => ({ plugins: [preact()] }),
});
