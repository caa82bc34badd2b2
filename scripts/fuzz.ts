// `npm run fuzz -- --seeds N` runs N seeds of the sync simulation; `--seed S` replays one; `--steps K` sets
// the steps per seed. Seeds run ten to a workerd process: a few dozen runs in one process exhaust its stack
// (each seed leaves its simulated devices' databases and the relay's rows behind).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./relay-process";

const PER_PROCESS = 100;
const args = process.argv.slice(2);
const value = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};

function run(extra: Record<string, string>): number {
  const env = { ...process.env, ...extra };
  if (value("steps")) env.FUZZ_STEPS = value("steps");
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "test/fuzz/vitest.config.ts"],
    { cwd: ROOT, env, stdio: "inherit" },
  );
  return result.status ?? 1;
}

const seed = value("seed");
if (seed) process.exit(run({ FUZZ_SEED: seed }));
const total = Number(value("seeds") ?? 6);
let failed = 0;
for (let first = 0; first < total; first += PER_PROCESS) {
  if (run({ FUZZ_FIRST: String(first), FUZZ_SEEDS: String(Math.min(PER_PROCESS, total - first)) }) !== 0) failed++;
}
if (failed > 0) console.error(`${failed} group(s) of seeds failed; each failure above prints its seed for --seed.`);
process.exit(failed > 0 ? 1 : 0);
