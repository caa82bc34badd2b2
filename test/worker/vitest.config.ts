import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      main: path.join(root, "worker/index.ts"),
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: { TEST_MIGRATIONS: await readD1Migrations(path.join(root, "worker/migrations")) },
      },
    }),
  ],
  test: {
    name: "worker",
    root,
    include: ["test/worker/**/*.worker.test.ts"],
    setupFiles: ["test/worker/apply-migrations.ts"],
    testTimeout: 30_000,
  },
}));
