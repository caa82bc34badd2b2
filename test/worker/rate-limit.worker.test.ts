import { describe, expect, it } from "vitest";
import { FAILURES_PER_ADDRESS, FAILURES_PER_USERNAME } from "../../worker/lib/rate-limit";
import { call, signUp, uniqueName } from "./relay";

const logIn = (username: string, password: string, address = "198.51.100.1") =>
  call({
    method: "POST",
    path: "/v1/sessions",
    body: { username, password },
    headers: { "cf-connecting-ip": address },
  });

describe("failed logins are rate-limited", () => {
  it("per username: after the limit even the right password waits, with Retry-After", async () => {
    const { username, password } = await signUp();
    for (let i = 0; i < FAILURES_PER_USERNAME; i++) {
      // Spread over addresses, so that only the per-username limit can trip.
      expect((await logIn(username, "wrong password", `198.51.100.${10 + i}`)).status).toBe(401);
    }
    const blocked = await logIn(username, password, "203.0.113.200");
    expect(blocked.status).toBe(429);
    expect(blocked.json?.error).toMatch(/too many failed sign-in attempts/);
    const retry = Number(blocked.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // Other accounts are not affected.
    const other = await signUp();
    expect((await logIn(other.username, other.password, "203.0.113.200")).status).toBe(200);
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

  it("a successful login clears the username's count of failures", async () => {
    const { username, password } = await signUp();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < FAILURES_PER_USERNAME - 1; i++) {
        expect((await logIn(username, "wrong password", `198.18.${round}.${i}`)).status).toBe(401);
      }
      expect((await logIn(username, password, `198.18.${round}.250`)).status).toBe(200);
    }
  });

  it("wrong passwords when deleting an account count too", async () => {
    const { username, password, token } = await signUp();
    for (let i = 0; i < FAILURES_PER_USERNAME; i++) {
      const response = await call({
        method: "DELETE",
        path: "/v1/accounts/current",
        token,
        body: { password: "wrong password" },
        headers: { "cf-connecting-ip": `100.64.0.${i}` },
      });
      expect(response.status).toBe(403);
    }
    const blocked = await call({
      method: "DELETE",
      path: "/v1/accounts/current",
      token,
      body: { password },
      headers: { "cf-connecting-ip": "100.64.1.1" },
    });
    expect(blocked.status).toBe(429);
    expect((await logIn(username, password, "100.64.1.2")).status).toBe(429);
  });
});
