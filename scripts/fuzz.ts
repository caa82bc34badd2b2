// `npm run fuzz -- --seeds N` runs N seeds of the sync simulation; `--seed S` replays one; `--steps K` sets
// the steps per seed.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./relay-process";

const args = process.argv.slice(2);
const value = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};
const env = { ...process.env };
if (value("seeds")) env.FUZZ_SEEDS = value("seeds");
if (value("seed")) env.FUZZ_SEED = value("seed");
if (value("steps")) env.FUZZ_STEPS = value("steps");
const run = spawnSync(
  process.execPath,
  [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "test/fuzz/vitest.config.ts"],
  { cwd: ROOT, env, stdio: "inherit" },
);
process.exit(run.status ?? 1);
