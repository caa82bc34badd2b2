// `npm run deploy`: puts the relay on Cloudflare with the resources named in wrangler.toml. It creates nothing by
// surprise: the D1 database and the R2 bucket must exist (docs/deploy.md says how); this applies the database's
// migrations, then deploys the Worker. `npm run deploy -- --dry-run` only bundles and says what would happen.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./relay-process";

const WRANGLER = path.join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const dryRun = process.argv.includes("--dry-run");
const config = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
const databaseId = /database_id\s*=\s*"([^"]*)"/.exec(config)?.[1] ?? "";

if (!dryRun && /^[0-]*$/.test(databaseId)) {
  console.error(
    "wrangler.toml still holds the placeholder database_id. Create the database first " +
      "(npx wrangler d1 create flashcard-relay) and put the id it prints into wrangler.toml; see docs/deploy.md.",
  );
  process.exit(1);
}

function wrangler(args: string[]): void {
  console.log(`\n$ wrangler ${args.join(" ")}`);
  const result = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (dryRun) {
  console.log("Dry run: the migrations would be applied to the remote database, then the Worker deployed.");
  wrangler(["deploy", "--dry-run", "--outdir", path.join(ROOT, ".tmp/deploy-dry-run")]);
} else {
  // Migrations only ever add tables and columns, so they go first: the running Worker keeps working with them.
  wrangler(["d1", "migrations", "apply", "DB", "--remote"]);
  wrangler(["deploy"]);
}
