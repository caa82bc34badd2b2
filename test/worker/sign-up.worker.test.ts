// Who may create accounts: each client address a few a day, and the relay's owner may close sign-up or require an
// invitation code (SIGNUP and the secret SIGNUP_INVITATION; docs/security.md).
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { SIGNUPS_PER_ADDRESS } from "../../worker/lib/rate-limit";
import { BASE, call, uniqueName } from "./relay";

/** A sign-up as a client at `address` sends it, to the relay with the owner's settings `vars`. */
async function signUpWith(body: Record<string, unknown>, address: string, vars: Record<string, string> = {}) {
  const request = new Request(`${BASE}/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": address },
    body: JSON.stringify(body),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as never, { ...env, ...vars } as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const credentials = () => ({ username: uniqueName("new"), password: "a long password" });

describe("sign-up", () => {
  it("one address creates at most its share of accounts a day, then gets 429 in words; others still can", async () => {
    for (let i = 0; i < SIGNUPS_PER_ADDRESS; i++) {
      expect((await signUpWith(credentials(), "203.0.113.40")).status).toBe(201);
    }
    const refused = await signUpWith(credentials(), "203.0.113.40");
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(/created 10 accounts today, the most a day/);
    expect((await signUpWith(credentials(), "203.0.113.41")).status).toBe(201);
  });

  it("a name already taken does not use up the address's share", async () => {
    const taken = credentials();
    expect((await signUpWith(taken, "203.0.113.50")).status).toBe(201);
    for (let i = 0; i < SIGNUPS_PER_ADDRESS + 2; i++) {
      expect((await signUpWith(taken, "203.0.113.50")).status).toBe(409);
    }
    expect((await signUpWith(credentials(), "203.0.113.50")).status).toBe(201);
  });

  it("a relay whose owner closed sign-up creates no account and says so; logging in still works", async () => {
    const existing = credentials();
    expect((await signUpWith(existing, "203.0.113.60")).status).toBe(201);
    const closed = await signUpWith(credentials(), "203.0.113.60", { SIGNUP: "closed" });
    expect(closed.status).toBe(403);
    expect(closed.json.error).toMatch(/does not take new accounts/);
    const login = await call({ method: "POST", path: "/v1/sessions", body: existing });
    expect(login.status).toBe(200);
  });

  it("with an invitation code, only the right code creates an account, and wrong codes count against the address", async () => {
    const vars = { SIGNUP: "invitation", SIGNUP_INVITATION: "spring-deck-2026" };
    const none = await signUpWith(credentials(), "203.0.113.70", vars);
    expect(none.status).toBe(403);
    expect(none.json.error).toMatch(/only with an invitation code/);
    const wrong = await signUpWith({ ...credentials(), invitation: "guess" }, "203.0.113.70", vars);
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toMatch(/invitation code is not right/);
    const right = credentials();
    expect((await signUpWith({ ...right, invitation: "spring-deck-2026" }, "203.0.113.70", vars)).status).toBe(201);
    expect((await call({ method: "POST", path: "/v1/sessions", body: right })).status).toBe(200);
    for (let i = 2; i < SIGNUPS_PER_ADDRESS; i++) {
      expect((await signUpWith({ ...credentials(), invitation: `guess ${i}` }, "203.0.113.70", vars)).status).toBe(403);
    }
    expect((await signUpWith({ ...credentials(), invitation: "spring-deck-2026" }, "203.0.113.70", vars)).status).toBe(
      429,
    );
    // No code is set: nobody gets in, whatever they send.
    const unset = await signUpWith({ ...credentials(), invitation: "anything" }, "203.0.113.71", {
      SIGNUP: "invitation",
    });
    expect(unset.status).toBe(403);
    expect(unset.json.error).toMatch(/invitation code is not right/);
  });
});
