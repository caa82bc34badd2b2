import { describe, expect, it } from "vitest";
import { RelayClient } from "../../extension/lib/relay-client";

const TOKEN = "s3cret-token-value-that-must-never-show-up-in-errors";

function fakeFetch(respond: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return respond(String(input), init ?? {});
  };
  return { calls, impl: impl as typeof fetch };
}

describe("the relay client", () => {
  it("sends JSON and the bearer token, and returns the parsed answer", async () => {
    const fake = fakeFetch(() => Response.json({ username: "alice", createdAt: 1 }));
    const result = await new RelayClient("https://r.example", TOKEN, fake.impl).account();
    expect(result).toEqual({ ok: true, value: { username: "alice", createdAt: 1 } });
    expect(fake.calls[0]?.url).toBe("https://r.example/v1/accounts/current");
    expect((fake.calls[0]?.init.headers as Record<string, string> | undefined)?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("a relay that does not answer in time is a timeout, in words", async () => {
    const hanging = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof fetch;
    const result = await new RelayClient("https://r.example", TOKEN, hanging, { timeoutMs: 50 }).account();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.kind).toBe("timeout");
      expect(result.error).toMatch(/did not answer within/);
    }
  });

  it("turns a network failure into a sentence naming the relay, without the token", async () => {
    const fake = fakeFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    const result = await new RelayClient("https://r.example", TOKEN, fake.impl).account();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBeNull();
      expect(result.error).toMatch(/Could not reach the relay at https:\/\/r.example/);
      expect(result.kind).toBe("unreachable");
      expect(result.error).not.toContain(TOKEN);
    }
  });

  it("passes on the relay's own words, as a sentence", async () => {
    const fake = fakeFetch(() => Response.json({ error: "wrong username or password" }, { status: 401 }));
    const result = await new RelayClient("https://r.example", null, fake.impl).logIn("alice", "x");
    expect(result).toEqual({ ok: false, status: 401, kind: "refused", error: "Wrong username or password." });
  });

  it("says how long to wait when rate-limited", async () => {
    const fake = fakeFetch(
      () =>
        new Response(JSON.stringify({ error: "too many failed sign-in attempts; try again in 15 minute(s)" }), {
          status: 429,
          headers: { "retry-after": "900", "content-type": "application/json" },
        }),
    );
    const result = await new RelayClient("https://r.example", null, fake.impl).logIn("alice", "x");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/Try again in 15 minutes\./);
  });

  it("says so when the address answers but is not a relay", async () => {
    const fake = fakeFetch(() => new Response("<html>Welcome to nginx</html>", { status: 200 }));
    const result = await new RelayClient("https://r.example", null, fake.impl).account();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/not as a relay would/);
  });
});
