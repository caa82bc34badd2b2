import { defineConfig } from "vitest/config";

// `npx vitest` runs every level; `npm test` runs them one after another (see package.json).
export default defineConfig({
  test: {
    projects: [
      "test/unit/vitest.config.ts",
      "test/worker/vitest.config.ts",
      "test/e2e/vitest.config.ts",
      "test/firefox/vitest.config.ts",
      "test/anki/vitest.config.ts",
    ],
  },
});
