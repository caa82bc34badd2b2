// "Test connection": the steps between this browser and the relay, run one after the other, so that a person (or
// whoever helps them) learns which one fails. A browser's fetch says only "failed" for a name that does not resolve,
// a refused connection and an untrusted certificate alike, so the steps tell them apart by what else answers.
import { browserOnline } from "../relay-client";
import { answerFailure, certificateFailure, hostOf, INTERCEPT_ADVICE, networkFailure, redact } from "./errors";

export type StepName = "online" | "connect" | "tls" | "relay" | "auth";

export interface StepResult {
  step: StepName;
  label: string;
  state: "ok" | "failed" | "skipped";
  detail: string;
}

export interface TestOptions {
  fetchImpl?: typeof fetch;
  online?: () => boolean;
  timeoutMs?: number;
}

const LABELS: Record<StepName, string> = {
  online: "The browser is online",
  connect: "Find the server and connect (name resolution, connection)",
  tls: "Secure connection (TLS certificate)",
  relay: "Reach the relay",
  auth: "Sign-in accepted",
};

const PROBE_TIMEOUT_MS = 10_000;

/** Runs every step in order; after the first failure the rest are skipped. Never throws. */
export async function testConnection(
  relayUrl: string,
  token: string | null,
  options: TestOptions = {},
): Promise<StepResult[]> {
  const fetchImpl = options.fetchImpl ?? ((...args) => fetch(...args));
  const online = options.online ?? browserOnline;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const results: StepResult[] = [];
  const ok = (step: StepName, detail: string) => results.push({ step, label: LABELS[step], state: "ok", detail });
  const fail = (step: StepName, detail: string) => {
    results.push({ step, label: LABELS[step], state: "failed", detail: redact(detail, token) });
    for (const rest of (Object.keys(LABELS) as StepName[]).slice(Object.keys(LABELS).indexOf(step) + 1)) {
      results.push({ step: rest, label: LABELS[rest], state: "skipped", detail: "Not tried." });
    }
    return results;
  };
  const secure = relayUrl.startsWith("https:");
  const signal = () => AbortSignal.timeout(timeoutMs);

  if (!online()) return fail("online", networkFailure(relayUrl, null, false, timeoutMs).error);
  ok("online", "Yes.");

  // Resolve and connect: any answer at all, even one the page may not read, proves both (and TLS for https).
  let answered = false;
  let thrown: unknown = null;
  try {
    await fetchImpl(`${relayUrl}/health`, { mode: "no-cors", cache: "no-store", signal: signal() });
    answered = true;
  } catch (error) {
    thrown = error;
  }
  if (!answered) {
    const timedOut = ["TimeoutError", "AbortError"].includes((thrown as { name?: string } | null)?.name ?? "");
    // Over https, the same server answering plain http means the name resolves and the host accepts connections:
    // what failed is the secure connection.
    if (secure && !timedOut && (await answersOverHttp(relayUrl, fetchImpl, signal))) {
      ok("connect", `${hostOf(relayUrl)} resolves and accepts connections (it answers over plain HTTP).`);
      return fail("tls", certificateFailure(relayUrl).error);
    }
    if (timedOut) {
      return fail("connect", networkFailure(relayUrl, thrown, true, timeoutMs).error);
    }
    // Over https with no plain-http answer to compare with (a host that only redirects to https, or a .dev name
    // that browsers always upgrade), a certificate problem cannot be told apart from the others: say both.
    return fail(
      "connect",
      `Nothing answered at ${hostOf(relayUrl)}: the name does not resolve, or the connection was refused or ` +
        "blocked by a firewall" +
        (secure ? ", or the secure connection failed" : "") +
        ". Check the relay's address; if it is right, the relay may be down, or your network blocks it" +
        (secure ? `. Or ${INTERCEPT_ADVICE}.` : "."),
    );
  }
  ok("connect", `${hostOf(relayUrl)} answers.`);
  if (secure) ok("tls", "The certificate is trusted.");
  else
    results.push({
      step: "tls",
      label: LABELS.tls,
      state: "skipped",
      detail: "Not used: plain HTTP to a relay on this computer.",
    });

  // Reach the relay: its /health must answer { ok: true } with the CORS headers that let the extension read it.
  let health: Response;
  try {
    health = await fetchImpl(`${relayUrl}/health`, { cache: "no-store", signal: signal() });
  } catch {
    return fail(
      "relay",
      `Something answers at ${relayUrl}, but not as a relay would (the browser may not read its answers). Check the relay's address.`,
    );
  }
  const body = await health.json().catch(() => undefined);
  if (!health.ok) {
    const failure = answerFailure(relayUrl, {
      status: health.status,
      headers: health.headers,
      body,
      authenticated: false,
    });
    return fail("relay", failure.error);
  }
  if ((body as { ok?: unknown } | undefined)?.ok !== true) {
    return fail(
      "relay",
      `The address ${relayUrl} answers, but not as a relay would (HTTP ${health.status}). Check the relay's address.`,
    );
  }
  ok("relay", "The relay answers.");

  if (!token) {
    results.push({ step: "auth", label: LABELS.auth, state: "skipped", detail: "Not signed in on this profile." });
    return results;
  }
  let account: Response;
  try {
    account = await fetchImpl(`${relayUrl}/v1/accounts/current`, {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
      signal: signal(),
    });
  } catch (error) {
    return fail("auth", networkFailure(relayUrl, error, online(), timeoutMs).error);
  }
  const info = await account.json().catch(() => undefined);
  if (!account.ok) {
    const failure = answerFailure(relayUrl, {
      status: account.status,
      headers: account.headers,
      body: info,
      authenticated: true,
    });
    return fail("auth", failure.error);
  }
  const username = (info as { username?: unknown } | undefined)?.username;
  ok("auth", typeof username === "string" ? `Signed in as ${username}.` : "The relay accepts the sign-in.");
  return results;
}

/** Whether the relay's host answers plain HTTP, on its usual port and on the relay's own port. */
async function answersOverHttp(relayUrl: string, fetchImpl: typeof fetch, signal: () => AbortSignal): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(relayUrl);
  } catch {
    return false;
  }
  const candidates = [`http://${url.hostname}/`];
  if (url.port) candidates.push(`http://${url.hostname}:${url.port}/`);
  for (const candidate of candidates) {
    try {
      // no-cors allows only redirect "follow": a host that redirects to https fails here too, and proves nothing.
      await fetchImpl(candidate, { mode: "no-cors", cache: "no-store", signal: signal() });
      return true;
    } catch {
      // Try the next one.
    }
  }
  return false;
}
