import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, signUp, uniqueName } from "./relay";

async function countRows(table: "users" | "sessions"): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>();
  return row?.n ?? -1;
}

describe("health", () => {
  it("answers ok", async () => {
    const response = await call({ path: "/health" });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ok: true });
  });
});

describe("sign up and log in", () => {
  it("a new account is signed in at once and can read itself", async () => {
    const { username, token } = await signUp();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await call({ path: "/v1/accounts/current", token });
    expect(me.status).toBe(200);
    expect(me.json?.username).toBe(username);
    expect(typeof me.json?.createdAt).toBe("number");
  });

  it("logging in gives a second, different token; both work", async () => {
    const { username, password, token } = await signUp();
    const login = await call({ method: "POST", path: "/v1/sessions", body: { username, password } });
    expect(login.status).toBe(200);
    expect(login.json?.token).not.toBe(token);
    for (const t of [token, String(login.json?.token)]) {
      expect((await call({ path: "/v1/accounts/current", token: t })).status).toBe(200);
    }
  });

  it("usernames compare case-insensitively after Unicode normalisation", async () => {
    const { password } = await signUp("Zoë.Smith");
    // Upper case, and "e" followed by a combining diaeresis instead of the precomposed letter.
    const login = await call({
      method: "POST",
      path: "/v1/sessions",
      body: { username: "ZOE\u0308.SMITH", password },
    });
    expect(login.status).toBe(200);
    expect(login.json?.username).toBe("Zoë.Smith");
    // Full-width letters are the same name under NFKC, so the name is taken.
    const clash = await call({
      method: "POST",
      path: "/v1/accounts",
      body: { username: "ｚｏë.smith", password: "another password" },
    });
    expect(clash.status).toBe(409);
    expect(clash.json?.error).toMatch(/already taken/);
  });

  it("a wrong password and an unknown user get the same answer", async () => {
    const { username } = await signUp();
    const wrong = await call({
      method: "POST",
      path: "/v1/sessions",
      body: { username, password: "not the password" },
    });
    const unknown = await call({
      method: "POST",
      path: "/v1/sessions",
      body: { username: uniqueName("ghost"), password: "not the password" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
  });

  it("stores neither the password nor the token, only salted and hashed forms", async () => {
    const { username, password, token } = await signUp();
    const user = await env.DB.prepare("SELECT * FROM users WHERE username = ?1").bind(username).first();
    expect(JSON.stringify(user)).not.toContain(password);
    expect(user?.password_iterations).toBe(100_000);
    const sessions = await env.DB.prepare("SELECT token_hash FROM sessions WHERE user_id = ?1")
      .bind(user?.id)
      .all<{ token_hash: string }>();
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(sessions.results.map((r) => r.token_hash)).toEqual([hex]);
  });

  it("two accounts with the same password get different salts and hashes", async () => {
    const a = await signUp(uniqueName(), "shared password");
    const b = await signUp(uniqueName(), "shared password");
    const rows = await env.DB.prepare("SELECT password_salt, password_hash FROM users WHERE username IN (?1, ?2)")
      .bind(a.username, b.username)
      .all<{ password_salt: string; password_hash: string }>();
    expect(rows.results).toHaveLength(2);
    expect(rows.results[0]?.password_salt).not.toBe(rows.results[1]?.password_salt);
    expect(rows.results[0]?.password_hash).not.toBe(rows.results[1]?.password_hash);
  });
});

describe("log out and revocation", () => {
  it("after log out the token stops working, and other sessions keep working", async () => {
    const { username, password, token } = await signUp();
    const other = await call({ method: "POST", path: "/v1/sessions", body: { username, password } });
    const out = await call({ method: "DELETE", path: "/v1/sessions/current", token });
    expect(out.status).toBe(204);
    const after = await call({ path: "/v1/accounts/current", token });
    expect(after.status).toBe(401);
    expect(after.json?.error).toMatch(/sign in again/);
    expect(after.headers.get("www-authenticate")).toContain("Bearer");
    expect((await call({ path: "/v1/accounts/current", token: String(other.json?.token) })).status).toBe(200);
  });

  it("logging out twice with the same token is refused the second time", async () => {
    const { token } = await signUp();
    expect((await call({ method: "DELETE", path: "/v1/sessions/current", token })).status).toBe(204);
    expect((await call({ method: "DELETE", path: "/v1/sessions/current", token })).status).toBe(401);
  });
});

describe("delete account", () => {
  it("with a wrong password nothing is deleted", async () => {
    const { token } = await signUp();
    const response = await call({
      method: "DELETE",
      path: "/v1/accounts/current",
      token,
      body: { password: "wrong password" },
    });
    expect(response.status).toBe(403);
    expect((await call({ path: "/v1/accounts/current", token })).status).toBe(200);
  });

  it("with the password the account, its sessions and its name are gone", async () => {
    const { username, password, token } = await signUp();
    const second = await call({ method: "POST", path: "/v1/sessions", body: { username, password } });
    const response = await call({ method: "DELETE", path: "/v1/accounts/current", token, body: { password } });
    expect(response.status).toBe(204);
    for (const t of [token, String(second.json?.token)]) {
      expect((await call({ path: "/v1/accounts/current", token: t })).status).toBe(401);
    }
    expect((await call({ method: "POST", path: "/v1/sessions", body: { username, password } })).status).toBe(401);
    const user = await env.DB.prepare("SELECT id FROM users WHERE username = ?1").bind(username).first();
    expect(user).toBeNull();
    // The name is free again.
    expect((await call({ method: "POST", path: "/v1/accounts", body: { username, password } })).status).toBe(201);
  });
});

describe("two users", () => {
  it("each token sees only its own account, and deleting one leaves the other whole", async () => {
    const alice = await signUp(uniqueName("alice"));
    const bob = await signUp(uniqueName("bob"));
    expect((await call({ path: "/v1/accounts/current", token: alice.token })).json?.username).toBe(alice.username);
    expect((await call({ path: "/v1/accounts/current", token: bob.token })).json?.username).toBe(bob.username);
    // Alice's token with Bob's password cannot delete anything.
    const attempt = await call({
      method: "DELETE",
      path: "/v1/accounts/current",
      token: alice.token,
      body: { password: bob.password === alice.password ? "not either password" : bob.password },
    });
    expect(attempt.status).toBe(403);
    await call({
      method: "DELETE",
      path: "/v1/accounts/current",
      token: alice.token,
      body: { password: alice.password },
    });
    expect((await call({ path: "/v1/accounts/current", token: bob.token })).status).toBe(200);
    const login = await call({
      method: "POST",
      path: "/v1/sessions",
      body: { username: bob.username, password: bob.password },
    });
    expect(login.status).toBe(200);
  });
});

describe("the relay's edges", () => {
  it("an unknown endpoint is a JSON 404 that names it", async () => {
    const response = await call({ method: "GET", path: "/v1/nothing-here" });
    expect(response.status).toBe(404);
    expect(response.json?.error).toContain("GET /v1/nothing-here");
  });

  it("answers CORS preflights so the extension may call it from its own origin", async () => {
    const response = await call({
      method: "OPTIONS",
      path: "/v1/accounts/current",
      headers: {
        origin: "chrome-extension://abcdefghijklmnop",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });

  it("errors carry CORS headers too, so the extension can read what went wrong", async () => {
    const response = await call({
      method: "POST",
      path: "/v1/sessions",
      body: { username: "x" },
      headers: { origin: "chrome-extension://abcdefghijklmnop" },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("counts users and sessions the way the other tests expect", async () => {
    const before = await countRows("users");
    await signUp();
    expect(await countRows("users")).toBe(before + 1);
  });
});
