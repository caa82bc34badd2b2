import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { type Call, call, signUp } from "./relay";

let token = "";
beforeAll(async () => {
  ({ token } = await signUp("existing", "existing password"));
});

async function snapshot(): Promise<string> {
  const users = await env.DB.prepare("SELECT * FROM users ORDER BY id").all();
  const sessions = await env.DB.prepare("SELECT * FROM sessions ORDER BY token_hash").all();
  return JSON.stringify([users.results, sessions.results]);
}

const signUpWith = (body: unknown): Call => ({ method: "POST", path: "/v1/accounts", body });
const good = { username: "newcomer", password: "a good password" };

// Every row: a request that is wrong in one way, the status it must get, and words the error must contain.
const cases: [string, () => Call, number, RegExp][] = [
  [
    "a body that is not JSON",
    () => ({ ...signUpWith(undefined), raw: "{username: oops", headers: { "content-type": "application/json" } }),
    400,
    /not valid JSON/,
  ],
  [
    "an empty body",
    () => ({ ...signUpWith(undefined), raw: "", headers: { "content-type": "application/json" } }),
    400,
    /not valid JSON/,
  ],
  [
    "a body sent as text/plain",
    () => ({ ...signUpWith(good), headers: { "content-type": "text/plain" } }),
    415,
    /Content-Type: application\/json/,
  ],
  ["no Content-Type", () => ({ method: "POST", path: "/v1/accounts", raw: JSON.stringify(good) }), 415, /Content-Type/],
  [
    "bytes that are not UTF-8",
    () => ({
      ...signUpWith(undefined),
      raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      headers: { "content-type": "application/json" },
    }),
    400,
    /UTF-8/,
  ],
  ["JSON null", () => signUpWith(null), 400, /JSON object with username and password/],
  ["a JSON array", () => signUpWith([good.username, good.password]), 400, /JSON object/],
  ["a missing password", () => signUpWith({ username: "newcomer" }), 400, /password is missing/],
  ["a missing username", () => signUpWith({ password: good.password }), 400, /username is missing/],
  ["a username that is a number", () => signUpWith({ ...good, username: 12345 }), 400, /username must be a string/],
  [
    "a password that is an object",
    () => signUpWith({ ...good, password: { $ne: "" } }),
    400,
    /password must be a string/,
  ],
  ["an extra field", () => signUpWith({ ...good, admin: true }), 400, /unexpected field "admin"/],
  ["an empty username", () => signUpWith({ ...good, username: "   " }), 400, /username is empty/],
  ["a username of 65 characters", () => signUpWith({ ...good, username: "a".repeat(65) }), 400, /longer than 64/],
  ["a password of 7 characters", () => signUpWith({ ...good, password: "1234567" }), 400, /at least 8/],
  ["a password of 257 characters", () => signUpWith({ ...good, password: "p".repeat(257) }), 400, /longer than 256/],
  [
    "a control character in the username",
    () => signUpWith({ ...good, username: "new\u0000comer" }),
    400,
    /only letters, digits/,
  ],
  [
    "a control character in the password",
    () => signUpWith({ ...good, password: "a good\u0007password" }),
    400,
    /control characters/,
  ],
  [
    "SQL in the username",
    () => signUpWith({ ...good, username: "x'; DROP TABLE users; --" }),
    400,
    /only letters, digits/,
  ],
  [
    "a body over the size limit",
    () => signUpWith({ ...good, padding: "x".repeat(20_000) }),
    413,
    /larger than the limit/,
  ],
  [
    "a declared length over the limit",
    () => ({ ...signUpWith(good), headers: { "content-type": "application/json", "content-length": "999999" } }),
    413,
    /larger than the limit/,
  ],
  [
    "a log-in with SQL in the password",
    () => ({ method: "POST", path: "/v1/sessions", body: { username: "existing", password: "' OR '1'='1" } }),
    401,
    /wrong username or password/,
  ],
  ["no Authorization header", () => ({ path: "/v1/accounts/current" }), 401, /sign in first/],
  [
    "a Basic Authorization header",
    () => ({ path: "/v1/accounts/current", headers: { authorization: "Basic dXNlcjpwYXNz" } }),
    401,
    /Bearer/,
  ],
  [
    "a malformed token",
    () => ({ path: "/v1/accounts/current", headers: { authorization: "Bearer abc'--" } }),
    401,
    /Bearer/,
  ],
  [
    "a well-formed token never issued",
    () => ({ path: "/v1/accounts/current", token: "A".repeat(43) }),
    401,
    /not valid/,
  ],
  [
    "account deletion without a body",
    () => ({ method: "DELETE", path: "/v1/accounts/current", token, headers: { "content-type": "application/json" } }),
    400,
    /not valid JSON/,
  ],
  [
    "account deletion with a wrong field",
    () => ({ method: "DELETE", path: "/v1/accounts/current", token, body: { pass: "x" } }),
    400,
    /unexpected field "pass"/,
  ],
];

describe("bad input gets a clear 4xx in JSON and changes nothing", () => {
  it.each(cases)("%s", async (_name, make, status, words) => {
    const before = await snapshot();
    const response = await call(make());
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(typeof response.json?.error).toBe("string");
    expect(String(response.json?.error)).toMatch(words);
    // Nothing of the relay's insides: no stack frames, no file names.
    expect(String(response.json?.error)).not.toMatch(/\bat .*\(|\.ts:\d|node_modules|SQLITE/);
    expect(await snapshot()).toBe(before);
  });

  it("the existing account still works after all of it", async () => {
    expect((await call({ path: "/v1/accounts/current", token })).status).toBe(200);
  });
});
