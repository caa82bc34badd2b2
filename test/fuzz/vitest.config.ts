import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

// The fuzz test runs the real client sync code against the real relay inside workerd. FUZZ_SEEDS (how many
// seeds), FUZZ_FIRST (how many of the seed sequence to skip) and FUZZ_SEED (one seed to replay) reach the test as
// bindings.
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      main: path.join(root, "worker/index.ts"),
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "worker/migrations")),
          FUZZ_SEEDS: process.env.FUZZ_SEEDS ?? "100",
          FUZZ_FIRST: process.env.FUZZ_FIRST ?? "0",
          FUZZ_SEED: process.env.FUZZ_SEED ?? "",
          FUZZ_STEPS: process.env.FUZZ_STEPS ?? "60",
          FUZZ_WATCH: process.env.FUZZ_WATCH ?? "",
          FUZZ_TRACE: process.env.FUZZ_TRACE ?? "",
        },
      },
    }),
  ],
  test: {
    name: "fuzz",
    root,
    include: ["test/fuzz/**/*.fuzz.test.ts"],
    setupFiles: ["test/worker/apply-migrations.ts"],
    testTimeout: 600_000,
  },
}));
