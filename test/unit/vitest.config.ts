import path from "node:path";
import { defineConfig } from "vitest/config";
import { WxtVitest } from "wxt/testing/vitest-plugin";

const root = path.resolve(import.meta.dirname, "../..");

export default defineConfig({
  root,
  plugins: [WxtVitest({ root })],
  test: {
    name: "unit",
    root,
    include: ["test/unit/**/*.unit.test.{ts,tsx}"],
    environment: "node",
  },
});
