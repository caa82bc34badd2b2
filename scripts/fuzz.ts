// `npm run fuzz -- --seeds N` runs N seeds of the sync simulation (from the `--first`-th of its seed sequence, 0 by
// default); `--seed S` replays one exactly; `--steps K` sets the steps per seed; `--watch M` prints the history and
// where the review with marker M is before each step. Seeds run a hundred to a workerd process.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./relay-process";

const PER_PROCESS = 100;
const args = process.argv.slice(2);
const value = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};

// The relay's local D1 of each process is written under TMPDIR: on tmpfs the seeds wait for no disk (on this
// project's 2-core machines a third of the time went to I/O wait otherwise).
const SHM = "/dev/shm";
const tmpdir = process.env.TMPDIR ?? (existsSync(SHM) ? mkdtempSync(path.join(SHM, "fuzz-")) : undefined);

function run(extra: Record<string, string>): number {
  const env: NodeJS.ProcessEnv = { ...process.env, ...(tmpdir ? { TMPDIR: tmpdir } : {}), ...extra };
  if (value("steps")) env.FUZZ_STEPS = value("steps");
  if (value("watch")) env.FUZZ_WATCH = value("watch");
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "test/fuzz/vitest.config.ts"],
    { cwd: ROOT, env, stdio: "inherit" },
  );
  return result.status ?? 1;
}

/** Ends the run, removing the temporary folder made for it. */
function exit(status: number): never {
  if (tmpdir && !process.env.TMPDIR) rmSync(tmpdir, { recursive: true, force: true });
  process.exit(status);
}

const seed = value("seed");
if (seed) exit(run({ FUZZ_SEED: seed }));
const total = Number(value("seeds") ?? 6);
const start = Number(value("first") ?? 0);
const began = Date.now();
let failed = 0;
for (let first = start; first < start + total; first += PER_PROCESS) {
  const seeds = Math.min(PER_PROCESS, start + total - first);
  if (run({ FUZZ_FIRST: String(first), FUZZ_SEEDS: String(seeds) }) !== 0) failed++;
}
const minutes = ((Date.now() - began) / 60_000).toFixed(1);
console.log(`${total} seeds from the ${start}th in ${minutes} min: ${failed} group(s) of seeds failed.`);
if (failed > 0) console.error("Each failure above prints its seed for --seed.");
exit(failed > 0 ? 1 : 0);
