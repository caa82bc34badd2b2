// `npm run check:build` (run by CI): the relay bundles for Cloudflare within the Workers size limit, and the
// extension builds for Chrome and for Firefox with manifests each browser accepts; the Firefox build also passes
// Mozilla's add-ons linter (the checks addons.mozilla.org runs on upload) without errors. Nothing is uploaded,
// and nothing is fetched: the linter works from the data in its package.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT } from "./relay-process";

/** Workers limits on the compressed script: 3 MiB on the free plan, 10 MiB on paid plans. */
const FREE_LIMIT = 3 * 2 ** 20;
const PAID_LIMIT = 10 * 2 ** 20;
const out = path.join(ROOT, ".tmp/check-build");
rmSync(out, { recursive: true, force: true });
const problems: string[] = [];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const result = spawnSync(process.execPath, [command, ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...env },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
}

// The relay, bundled exactly as `wrangler deploy` would upload it.
run(path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), [
  "deploy",
  "--dry-run",
  "--outdir",
  path.join(out, "worker"),
]);
// The script and the modules beside it (sql.js's wasm file): Cloudflare counts them together.
const files = readdirSync(path.join(out, "worker")).filter((name) => /\.(js|mjs|wasm)$/.test(name));
const parts = files.map((name) => readFileSync(path.join(out, "worker", name)));
const size = parts.reduce((sum, part) => sum + part.length, 0);
const gzipped = parts.reduce((sum, part) => sum + gzipSync(part).length, 0);
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `Relay bundle (${files.join(", ")}): ${kib(size)}, ${kib(gzipped)} compressed; Workers limit ${kib(FREE_LIMIT)} (free plan), ` +
    `${kib(PAID_LIMIT)} (paid): ${((100 * gzipped) / FREE_LIMIT).toFixed(1)}% of the free plan's.`,
);
if (gzipped > FREE_LIMIT)
  problems.push(`the relay's compressed bundle (${kib(gzipped)}) is over the free plan's limit`);

// The extension for both browsers.
const wxt = path.join(ROOT, "node_modules/wxt/bin/wxt.mjs");
for (const browser of ["chrome", "firefox"] as const) {
  const outDir = path.join(out, "extension");
  run(wxt, ["build", "-b", browser], { WXT_OUT_DIR: outDir });
  const folder = path.join(outDir, browser === "chrome" ? "chrome-mv3" : "firefox-mv2");
  const manifest = JSON.parse(readFileSync(path.join(folder, "manifest.json"), "utf8")) as Record<string, unknown>;
  problems.push(...checkManifest(browser, manifest, folder).map((p) => `${browser}: ${p}`));
  console.log(
    `Extension for ${browser}: built in ${path.relative(ROOT, folder)}, manifest v${manifest.manifest_version}`,
  );
  if (browser === "firefox") problems.push(...lintFirefox(folder).map((p) => `${browser}: ${p}`));
}

interface LinterMessage {
  code: string;
  message: string;
  description?: string | string[];
  file?: string;
  line?: number;
}

/**
 * Runs Mozilla's add-ons linter on the Firefox build and prints its summary and every message. Errors (what
 * addons.mozilla.org would refuse) are returned as problems; warnings and notices are printed only.
 */
function lintFirefox(folder: string): string[] {
  const linterDir = path.join(ROOT, "node_modules/addons-linter");
  const { version } = JSON.parse(readFileSync(path.join(linterDir, "package.json"), "utf8")) as { version: string };
  const result = spawnSync(
    process.execPath,
    [path.join(linterDir, "bin/addons-linter"), "--output", "json", "--boring", folder],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
  );
  let report: Record<"errors" | "warnings" | "notices", LinterMessage[]>;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    return [
      `addons-linter ${version} gave no report (exit status ${result.status}):\n${result.stdout}\n${result.stderr}`,
    ];
  }
  const { errors, warnings, notices } = report;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  console.log(
    `Firefox build, Mozilla's add-ons linter ${version}: ${count(errors.length, "error")}, ` +
      `${count(warnings.length, "warning")}, ${count(notices.length, "notice")}`,
  );
  const where = (m: LinterMessage) => (m.file ? ` in ${m.file}${m.line ? `:${m.line}` : ""}` : "");
  for (const [kind, list] of [
    ["error", errors],
    ["warning", warnings],
    ["notice", notices],
  ] as const) {
    for (const m of list) console.log(`  ${kind} ${m.code}${where(m)}: ${m.message}`);
  }
  const found = errors.map((m) => {
    const description = Array.isArray(m.description) ? m.description.join(" ") : (m.description ?? "");
    return `addons-linter error ${m.code}${where(m)}: ${m.message}${description ? ` (${description})` : ""}`;
  });
  if (result.status !== 0 && found.length === 0) {
    found.push(
      `addons-linter ${version} exited with status ${result.status} without naming an error:\n${result.stderr}`,
    );
  }
  return found;
}

function checkManifest(browser: "chrome" | "firefox", manifest: Record<string, unknown>, folder: string): string[] {
  const found: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) found.push(what);
  };
  need(typeof manifest.name === "string" && typeof manifest.version === "string", "name and version are required");
  const files: string[] = [];
  const popup = (manifest.action ?? manifest.browser_action) as { default_popup?: string } | undefined;
  need(popup?.default_popup, "the toolbar button has no popup");
  if (popup?.default_popup) files.push(popup.default_popup);
  const options = manifest.options_ui as { page?: string } | undefined;
  need(options?.page, "there is no options page (the manager)");
  if (options?.page) files.push(options.page);
  const background = manifest.background as { service_worker?: string; scripts?: string[] } | undefined;
  if (browser === "chrome") {
    need(manifest.manifest_version === 3, "Chrome needs manifest version 3");
    need(background?.service_worker, "Chrome needs a background service worker");
    const sandbox = manifest.sandbox as { pages?: string[] } | undefined;
    need(sandbox?.pages?.includes("card.html"), "the card frame must be a sandbox page");
    const csp = (manifest.content_security_policy as { sandbox?: string } | undefined)?.sandbox ?? "";
    need(csp.includes("default-src 'none'"), "the card frame's policy must shut off the network");
    if (background?.service_worker) files.push(background.service_worker);
  } else {
    need(background?.scripts?.length, "Firefox needs background scripts");
    need(!("sandbox" in manifest), "Firefox does not know manifest sandbox pages");
    files.push(...(background?.scripts ?? []));
  }
  for (const file of files) {
    try {
      readFileSync(path.join(folder, file));
    } catch {
      found.push(`the manifest names ${file}, which the build lacks`);
    }
  }
  return found;
}

rmSync(out, { recursive: true, force: true });
if (problems.length) {
  console.error(`\nBuild check failed:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
