import { applyD1Migrations, env } from "cloudflare:test";

// Each test file starts with an empty database; this brings it to the current schema.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
