// Failed password checks are limited per address and account, per address, and per account, so that guessing is
// slow however many addresses guess, without letting strangers lock an owner out (docs/security.md).
import { describe, expect, it } from "vitest";
import { FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, FAILURES_PER_PAIR } from "../../worker/lib/rate-limit";
import { call, signUp, uniqueName } from "./relay";

const logIn = (username: string, password: string, address = "198.51.100.1") =>
  call({
    method: "POST",
    path: "/v1/sessions",
    body: { username, password },
    headers: { "cf-connecting-ip": address },
  });

describe("failed logins are rate-limited", () => {
  it("100 wrong passwords at once for one account from one address: only the limit is checked, the rest get 429", async () => {
    const { username, password } = await signUp();
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => logIn(username, "wrong password", "198.51.100.9")),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBe(FAILURES_PER_PAIR);
    expect(statuses.filter((s) => s === 429).length).toBe(100 - FAILURES_PER_PAIR);
    const blocked = await logIn(username, password, "198.51.100.9");
    expect(blocked.status).toBe(429);
    expect(blocked.json?.error).toMatch(/too many failed sign-in attempts; try again in \d+ minute/);
    const retry = Number(blocked.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // The owner, elsewhere, is not affected.
    expect((await logIn(username, password, "203.0.113.5")).status).toBe(200);
  });

  it("per client address: guessing many usernames from one address is stopped, other addresses are not", async () => {
    const { username, password } = await signUp();
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
      expect((await logIn(uniqueName("guess"), "wrong password", "192.0.2.77")).status).toBe(401);
    }
    const blocked = await logIn(username, password, "192.0.2.77");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await logIn(username, password, "192.0.2.78")).status).toBe(200);
  });

  it("strangers sharing the owner's address (one office, one carrier) cannot lock the owner out there", async () => {
    const { username, password } = await signUp();
    expect((await logIn(username, password, "192.0.2.90")).status).toBe(200);
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
      expect((await logIn(uniqueName("guess"), "wrong password", "192.0.2.90")).status).toBe(401);
    }
    expect((await logIn(uniqueName("guess"), "wrong password", "192.0.2.90")).status).toBe(429);
    expect((await logIn(username, password, "192.0.2.90")).status).toBe(200);
  });

  it("strangers guessing from many addresses get the account's limit and no more, and cannot lock the owner out where the owner signs in", async () => {
    const { username, password } = await signUp();
    expect((await logIn(username, password, "198.18.0.1")).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES_PER_ACCOUNT + 10; i++) {
      statuses.push((await logIn(username, "wrong password", `198.19.${i >> 8}.${i & 255}`)).status);
    }
    expect(statuses.filter((s) => s === 401).length).toBe(FAILURES_PER_ACCOUNT);
    expect(statuses.slice(FAILURES_PER_ACCOUNT).every((s) => s === 429)).toBe(true);
    // A new address waits, even with the right password; the address the owner signed in from does not.
    expect((await logIn(username, password, "203.0.113.99")).status).toBe(429);
    expect((await logIn(username, password, "198.18.0.1")).status).toBe(200);
  });

  it("a successful login clears the failures of that address for that account", async () => {
    const { username, password } = await signUp();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < FAILURES_PER_PAIR - 1; i++) {
        expect((await logIn(username, "wrong password", "198.18.7.7")).status).toBe(401);
      }
      expect((await logIn(username, password, "198.18.7.7")).status).toBe(200);
    }
  });

  it("wrong passwords when deleting an account count too", async () => {
    const { username, password, token } = await signUp();
    const remove = (body: { password: string }, address: string) =>
      call({ method: "DELETE", path: "/v1/accounts/current", token, body, headers: { "cf-connecting-ip": address } });
    for (let i = 0; i < FAILURES_PER_PAIR; i++) {
      expect((await remove({ password: "wrong password" }, "100.64.0.1")).status).toBe(403);
    }
    expect((await remove({ password }, "100.64.0.1")).status).toBe(429);
    expect((await logIn(username, password, "100.64.0.1")).status).toBe(429);
    expect((await logIn(username, password, "100.64.0.2")).status).toBe(200);
  });
});
