// Starts and stops a local relay (wrangler dev with local D1 and R2 state) for `npm start`, the e2e tests
// and the benchmarks. The wrangler binary runs in its own process group, so stopping it by its PID also
// stops the workerd it started.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface RelayOptions {
  /** Folder for D1 and R2 state; created when missing. */
  stateDir: string;
  port?: number;
  /** Folder for wrangler's and workerd's temporary files. */
  tmpDir?: string;
  /** Print wrangler's output. */
  verbose?: boolean;
  /** Settings of wrangler.toml's [vars] to override, such as { SIGNUP: "invitation" }. */
  vars?: Record<string, string>;
}

export interface RunningRelay {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function wranglerEnv(tmpDir: string | undefined): NodeJS.ProcessEnv {
  if (tmpDir) mkdirSync(tmpDir, { recursive: true });
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    CI: "true",
    ...(tmpDir ? { TMPDIR: tmpDir } : {}),
  };
}

/** Applies every D1 migration to the local state folder; a no-op when they are applied already. */
export function applyLocalMigrations(stateDir: string, tmpDir?: string): void {
  mkdirSync(stateDir, { recursive: true });
  const result = spawnSync(
    process.execPath,
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir],
    { cwd: ROOT, env: wranglerEnv(tmpDir), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (result.status !== 0) {
    throw new Error(`applying D1 migrations failed:\n${result.stdout}\n${result.stderr}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The port was taken between choosing it and wrangler binding it (another relay or any other socket). */
class PortTaken extends Error {}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  applyLocalMigrations(options.stateDir, options.tmpDir);
  // A port chosen here may be taken by someone else before wrangler binds it: then another port is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, options.port ?? (await freePort()));
    } catch (error) {
      if (!(error instanceof PortTaken) || options.port !== undefined || attempt >= 5) throw error;
    }
  }
}

async function startOnce(options: RelayOptions, port: number): Promise<RunningRelay> {
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      // Its own inspector port, so that several relays can start at once (test files run in parallel).
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      options.stateDir,
      "--show-interactive-dev-session=false",
      ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ],
    { cwd: ROOT, env: wranglerEnv(options.tmpDir), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  // Kept in a file too, to tell afterwards why a relay went away in the middle of a test.
  const logFile = path.join(options.tmpDir ?? options.stateDir, "wrangler.log");
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    appendFileSync(logFile, chunk);
    if (options.verbose) process.stdout.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(url, child, () => output);
  } catch (error) {
    await stopProcessGroup(child);
    throw error;
  }
  return { url, port, pid: child.pid ?? -1, stop: () => stopProcessGroup(child) };
}

/**
 * Waits until this wrangler says it listens on `url`, then until the relay answers there. A health answer alone
 * is not enough: when the port was taken, another relay may be answering on it while this wrangler fails.
 */
async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const plain = () => output().replace(/\x1b\[[0-9;]*m/g, "");
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const message = `wrangler dev exited with ${child.exitCode}:\n${output()}`;
      throw /address already in use/i.test(plain()) ? new PortTaken(message) : new Error(message);
    }
    if (plain().includes(`Ready on ${url}`)) {
      try {
        const response = await fetch(`${url}/health`);
        if (response.ok) return;
      } catch {
        // Not answering yet.
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the relay did not answer on ${url} within 60 s:\n${output()}`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5_000));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
