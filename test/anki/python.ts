// The Python side of the tests against Anki's own apps: a virtual environment in .venv (ignored by git) holding
// Anki's library at the version pinned in requirements-anki.txt, which carries the sync client of Anki desktop and
// AnkiDroid. Made on first use (PyPI must be reachable then); `bash .ci/run` makes it too.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const VENV = path.join(ROOT, ".venv");
export const PYTHON = path.join(VENV, "bin/python");
const REQUIREMENTS = path.join(ROOT, "requirements-anki.txt");

function banner(lines: string[]): Error {
  const bar = "=".repeat(78);
  return new Error(`\n${bar}\n${lines.join("\n")}\n${bar}`);
}

/** The pinned version of Anki's library, as requirements-anki.txt names it. */
export function pinnedAnki(): string {
  const line = readFileSync(REQUIREMENTS, "utf8")
    .split("\n")
    .find((l) => l.startsWith("anki=="));
  return line?.slice("anki==".length).trim() ?? "unknown";
}

/** Makes .venv with Anki's library when it is missing or holds another version; throws in words when it cannot. */
export function ensureAnkiPython(): void {
  const installed = () =>
    existsSync(PYTHON) &&
    spawnSync(PYTHON, ["-c", "import importlib.metadata as m; print(m.version('anki'))"], {
      encoding: "utf8",
    }).stdout.trim() === pinnedAnki();
  if (installed()) return;
  const python = process.env.PYTHON ?? "python3";
  const steps: [string, string[]][] = [
    [python, ["-m", "venv", VENV]],
    [path.join(VENV, "bin/pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS]],
  ];
  for (const [command, args] of steps) {
    const run = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
    if (run.status !== 0) {
      throw banner([
        "The tests against Anki's apps need Python 3 with venv, and Anki's library from PyPI.",
        `This failed: ${command} ${args.join(" ")}`,
        (run.stderr || run.error?.message || "").trim().slice(0, 600),
        `Make it by hand: python3 -m venv .venv && .venv/bin/pip install -r requirements-anki.txt`,
      ]);
    }
  }
  if (!installed()) throw banner([`.venv was made, but it does not hold anki==${pinnedAnki()}.`]);
}

/**
 * Runs a Python snippet in .venv and gives back the JSON it prints last. Asynchronous, so that the test's own
 * connections to the relay stay served meanwhile (a pooled connection that the relay closed while Node waited
 * would otherwise fail the next request).
 */
export function runPython<T>(code: string, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", code], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`the Python snippet printed no JSON (exit ${status}):\n${stdout}\n${stderr}`));
      }
    });
  });
}
