import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  test: {
    name: "firefox",
    root,
    include: ["test/firefox/**/*.firefox.test.ts"],
    globalSetup: ["test/firefox/global-setup.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Firefox with its content processes is heavy for two cores, beside a relay: one file at a time.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
