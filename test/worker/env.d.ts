// The test-only binding that vitest.config.ts adds: the migrations the setup file applies.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
