// The load and fault runs of `npm run load`, smaller, as tests: many devices syncing at once against a local relay
// lose nothing, and neither does a relay restarted in the middle of their syncs.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./browser";

function load(args: string[]) {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/load.ts", ...args],
    {
      cwd: ROOT,
      env: { ...process.env, LOAD_DEVICES: "8", LOAD_ROUNDS: "3" },
      encoding: "utf8",
      timeout: 180_000,
    },
  );
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe("many devices on one relay", () => {
  it("eight devices syncing at once keep every note and review exactly once, both devices of each account identical", () => {
    const run = load([]);
    expect(run.output).toMatch(
      /nothing lost or doubled: 84 notes and \d+ reviews, each exactly once, every account.s two devices identical/,
    );
    expect(run.output).toMatch(/errors: none/);
    expect(run.status).toBe(0);
  });

  it("a relay restarted in the middle of the syncs: every device completes on retry, nothing lost", () => {
    const run = load(["--restart"]);
    expect(run.output).toMatch(/the relay was stopped during the syncs and started again/);
    expect(run.output).toMatch(
      /nothing lost or doubled: 84 notes and \d+ reviews, each exactly once, every account.s two devices identical/,
    );
    expect(run.status).toBe(0);
  });
});
