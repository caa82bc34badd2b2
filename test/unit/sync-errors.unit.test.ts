import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RelayClient } from "../../extension/lib/relay-client";
import { retryAfterInWords } from "../../extension/lib/sync/errors";
import { testConnection } from "../../extension/lib/sync/test-connection";

const TOKEN = "Zm9vYmFyLXRva2VuLXRoYXQtbXVzdC1uZXZlci1sZWFr-x";
const RELAY = "https://relay.example.com";
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

type Respond = () => Response | Promise<Response>;

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const text = (status: number, body: string) => () => new Response(body, { status });
const throws = (error: unknown) => () => {
  throw error;
};
const timeout = () => new DOMException("signal timed out", "TimeoutError");

interface Row {
  what: string;
  respond: Respond;
  online?: boolean;
  token?: string | null;
  kind: string;
  message: RegExp;
}

const TABLE: Row[] = [
  {
    what: "the browser is offline",
    respond: throws(new TypeError("Failed to fetch")),
    online: false,
    kind: "offline",
    message: /This computer is offline/,
  },
  {
    what: "no connection (name, refused, TLS: fetch's TypeError)",
    respond: throws(new TypeError("Failed to fetch")),
    kind: "unreachable",
    message:
      /Could not reach the relay at https:\/\/relay\.example\.com: the name does not resolve, the connection was refused or blocked, or the secure connection failed.*intercepts secure connections/,
  },
  {
    what: "no answer in time",
    respond: throws(timeout()),
    kind: "timeout",
    message: /did not answer within 60 seconds/,
  },
  {
    what: "a proxy that wants credentials",
    respond: text(407, "<html>Proxy Authentication Required</html>"),
    kind: "proxy-auth",
    message: /proxy .* asks for a username and password/,
  },
  {
    what: "a revoked or expired token",
    respond: json(401, { error: "the token is not valid" }, { "www-authenticate": "Bearer" }),
    kind: "signed-out",
    message: /no longer accepts this browser's sign-in.*Sign in again/,
  },
  {
    what: "a wrong password at log-in (no token): the relay's words",
    respond: json(401, { error: "wrong username or password" }),
    token: null,
    kind: "refused",
    message: /^Wrong username or password\.$/,
  },
  {
    what: "too large",
    respond: json(413, { error: "the body is larger than the limit of 1048576 bytes" }),
    kind: "too-large",
    message: /too large \(its limit is 1 MiB\)/,
  },
  {
    what: "rate-limited, with Retry-After in seconds",
    respond: json(429, { error: "too many requests" }, { "retry-after": "90" }),
    kind: "rate-limited",
    message: /^Too many requests\. Try again in 2 minutes\.$/,
  },
  {
    what: "rate-limited without Retry-After",
    respond: json(429, { error: "too many requests" }),
    kind: "rate-limited",
    message: /Try again later\./,
  },
  {
    what: "the relay failed (500 with its JSON)",
    respond: json(500, { error: "the relay failed on this request; try again later" }),
    kind: "relay-error",
    message: /The relay failed on this request \(HTTP 500\)\. Nothing was changed/,
  },
  {
    what: "a gateway in front of the relay failed (502, HTML)",
    respond: text(502, "<html>Bad gateway</html>"),
    kind: "relay-error",
    message: /or a gateway in front of it, is not working right now \(HTTP 502\)/,
  },
  {
    what: "something that is not a relay",
    respond: text(404, "<html>Not found</html>"),
    kind: "not-a-relay",
    message: /answered with HTTP 404, but not as a relay would/,
  },
  {
    what: "any other refusal: the relay's own words",
    respond: json(422, { error: "a card's note is missing" }),
    kind: "refused",
    message: /^A card's note is missing\.$/,
  },
];

describe("failures talking to the relay, in words", () => {
  // Whatever is logged while these run is kept, to check that the token never reaches a log either.
  const logged: unknown[][] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  beforeAll(() => {
    for (const m of methods) vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterAll(() => {
    vi.restoreAllMocks();
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
  });

  for (const row of TABLE) {
    it(`${row.what} → ${row.kind}`, async () => {
      const token = row.token === undefined ? TOKEN : row.token;
      const client = new RelayClient(RELAY, token, async () => row.respond(), { online: () => row.online ?? true });
      const result = await client.account();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.kind).toBe(row.kind);
      expect(result.error).toMatch(row.message);
      expect(result.error).not.toContain(TOKEN);
      expect(result.error).not.toMatch(/at .*\.ts:\d+|Error:/);
    });
  }

  it("never shows the token, even when an answer repeats it", async () => {
    const echo = json(400, { error: `bad header Bearer ${TOKEN}` });
    const client = new RelayClient(RELAY, TOKEN, async () => echo());
    const result = await client.account();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).not.toContain(TOKEN);
      expect(result.error).toContain("[hidden]");
    }
  });

  it("gives up on a request after the timeout, with an AbortSignal", async () => {
    let signal: AbortSignal | undefined;
    const client = new RelayClient(
      RELAY,
      TOKEN,
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          signal = init?.signal ?? undefined;
          signal?.addEventListener("abort", () => reject(signal?.reason));
        }),
      { timeoutMs: 50 },
    );
    const result = await client.account();
    expect(signal).toBeDefined();
    expect(result).toMatchObject({ ok: false, kind: "timeout", status: null });
  });

  it("puts Retry-After in words: seconds, minutes, hours or an HTTP date", () => {
    expect(retryAfterInWords("30", NOW)).toBe("in 30 seconds");
    expect(retryAfterInWords("900", NOW)).toBe("in 15 minutes");
    expect(retryAfterInWords("7200", NOW)).toBe("in about 2 hours");
    expect(retryAfterInWords(new Date(NOW + 5 * 60_000).toUTCString(), NOW)).toBe("in 5 minutes");
    expect(retryAfterInWords("0", NOW)).toBe("in a moment");
    expect(retryAfterInWords("soon", NOW)).toBeNull();
    expect(retryAfterInWords(null, NOW)).toBeNull();
  });
});

/** A fake network: which URLs answer, and how. */
function network(routes: Record<string, Respond | "down">) {
  const calls: { url: string; init: RequestInit }[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    const respond = routes[url];
    if (!respond || respond === "down") throw new TypeError("Failed to fetch");
    return respond();
  };
  return { calls, impl: impl as typeof fetch };
}

const healthy = json(200, { ok: true });
const states = (steps: { step: string; state: string }[]) => steps.map((s) => `${s.step}:${s.state}`);

describe("Test connection", () => {
  it("passes every step against a working relay, and names the account", async () => {
    const net = network({
      [`${RELAY}/health`]: healthy,
      [`${RELAY}/v1/accounts/current`]: json(200, { username: "alice", createdAt: 1 }),
    });
    const steps = await testConnection(RELAY, TOKEN, { fetchImpl: net.impl });
    expect(states(steps)).toEqual(["online:ok", "connect:ok", "tls:ok", "relay:ok", "auth:ok"]);
    expect(steps.at(-1)?.detail).toBe("Signed in as alice.");
    // The token goes only to the account endpoint, in a header.
    expect(net.calls.filter((c) => JSON.stringify(c.init.headers ?? {}).includes(TOKEN)).map((c) => c.url)).toEqual([
      `${RELAY}/v1/accounts/current`,
    ]);
  });

  it("stops at 'online' when the browser is offline", async () => {
    const steps = await testConnection(RELAY, TOKEN, { fetchImpl: network({}).impl, online: () => false });
    expect(states(steps)).toEqual(["online:failed", "connect:skipped", "tls:skipped", "relay:skipped", "auth:skipped"]);
    expect(steps[0]?.detail).toMatch(/offline/);
  });

  it("blames the name, the connection or the certificate when nothing answers over https; only the first two over http", async () => {
    const steps = await testConnection(RELAY, TOKEN, { fetchImpl: network({}).impl });
    expect(steps[1]).toMatchObject({ step: "connect", state: "failed" });
    expect(steps[1]?.detail).toMatch(/the name does not resolve, or the connection was refused/);
    expect(steps[1]?.detail).toMatch(/secure connection failed.*certificate must be trusted by the operating system/);
    const local = await testConnection("http://127.0.0.1:9", null, { fetchImpl: network({}).impl });
    expect(local[1]).toMatchObject({ step: "connect", state: "failed" });
    expect(local[1]?.detail).not.toMatch(/secure|certificate/);
  });

  it("probes plain http as a browser allows a no-cors request: following redirects", async () => {
    const net = network({});
    await testConnection(RELAY, TOKEN, { fetchImpl: net.impl });
    const probes = net.calls.filter((c) => c.url.startsWith("http:"));
    expect(probes.map((c) => c.url)).toEqual(["http://relay.example.com/"]);
    for (const probe of probes) {
      expect(probe.init.mode).toBe("no-cors");
      expect(probe.init.redirect ?? "follow").toBe("follow");
    }
  });

  it("blames the certificate when the host answers plain HTTP but not HTTPS, and says how to fix it", async () => {
    const net = network({ "http://relay.example.com/": text(400, "plain HTTP sent to an HTTPS port") });
    const steps = await testConnection(RELAY, TOKEN, { fetchImpl: net.impl });
    expect(states(steps).slice(0, 3)).toEqual(["online:ok", "connect:ok", "tls:failed"]);
    expect(steps[2]?.detail).toMatch(
      /intercepts secure connections .* its certificate must be trusted by the operating system, which the browser then uses/,
    );
  });

  it("says when the address answers but is not a relay", async () => {
    const net = network({ [`${RELAY}/health`]: text(200, "<html>Welcome to nginx</html>") });
    const steps = await testConnection(RELAY, TOKEN, { fetchImpl: net.impl });
    expect(steps[3]).toMatchObject({ step: "relay", state: "failed" });
    expect(steps[3]?.detail).toMatch(/not as a relay would/);
  });

  it("says to sign in again when the token is revoked, without showing it", async () => {
    const net = network({
      [`${RELAY}/health`]: healthy,
      [`${RELAY}/v1/accounts/current`]: json(401, { error: `token ${TOKEN} is not valid` }),
    });
    const steps = await testConnection(RELAY, TOKEN, { fetchImpl: net.impl });
    expect(steps[4]).toMatchObject({ step: "auth", state: "failed" });
    expect(steps[4]?.detail).toMatch(/Sign in again/);
    expect(JSON.stringify(steps)).not.toContain(TOKEN);
  });

  it("skips TLS for a relay on this computer over http, and sign-in when signed out", async () => {
    const local = "http://127.0.0.1:8787";
    const net = network({ [`${local}/health`]: healthy });
    const steps = await testConnection(local, null, { fetchImpl: net.impl });
    expect(states(steps)).toEqual(["online:ok", "connect:ok", "tls:skipped", "relay:ok", "auth:skipped"]);
  });
});
