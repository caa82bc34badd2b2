// What went wrong talking to the relay, as a kind and a sentence a person can act on. Messages are built from the
// relay's address, the HTTP status, a few headers and the relay's own words, and any copy of the token is blanked:
// nothing here can show the sign-in token.

export type FailureKind =
  /** The browser says it has no network. */
  | "offline"
  /** No answer at all: the name does not resolve, the connection is refused or blocked, or TLS failed. */
  | "unreachable"
  /** No answer in time. */
  | "timeout"
  /** The server answers over plain HTTP but not over HTTPS: its certificate is not trusted (Test connection). */
  | "certificate"
  /** A proxy wants a username and password (407). */
  | "proxy-auth"
  /** The token was revoked or expired (401 on a signed-in request). */
  | "signed-out"
  /** A request was larger than the relay accepts (413). */
  | "too-large"
  /** Too many requests (429). */
  | "rate-limited"
  /** The relay or a gateway in front of it failed (5xx). */
  | "relay-error"
  /** Something answers at the address, but not as a relay would. */
  | "not-a-relay"
  /** The relay refused the request and said why (other 4xx). */
  | "refused";

export interface Failure {
  kind: FailureKind;
  error: string;
}

/** The fetch failed before any answer: offline, a timeout, or no connection (name, refusal, firewall, TLS). */
export function networkFailure(relayUrl: string, thrown: unknown, online: boolean, timeoutMs: number): Failure {
  if (!online) {
    return {
      kind: "offline",
      error:
        "This computer is offline. Nothing was lost: sync again once it is back online (automatic sync tries " +
        "every few minutes while changes wait).",
    };
  }
  const name = (thrown as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return {
      kind: "timeout",
      error:
        `The relay at ${relayUrl} did not answer within ${seconds(timeoutMs)}. The network or the relay is slow ` +
        "or down; try again later, or run Test connection on the manager's Sync page.",
    };
  }
  const secure = relayUrl.startsWith("https:");
  return {
    kind: "unreachable",
    error:
      `Could not reach the relay at ${relayUrl}: the name does not resolve, the connection was refused or ` +
      `blocked${secure ? ", or the secure connection failed" : ""}. Check the address and that you are online` +
      (secure ? `; ${INTERCEPT_ADVICE}` : "") +
      ". Test connection on the manager's Sync page finds which step fails.",
  };
}

/** What to do about a network that intercepts TLS: the browser trusts what the operating system trusts. */
export const INTERCEPT_ADVICE =
  "if your network intercepts secure connections (a company or school proxy, an antivirus), its certificate must be " +
  "trusted by the operating system, which the browser then uses";

/** Said when the server answers over HTTP but its HTTPS connection fails: almost always an untrusted certificate. */
export function certificateFailure(relayUrl: string): Failure {
  return {
    kind: "certificate",
    error:
      `The secure connection to ${hostOf(relayUrl)} failed: the browser does not trust the certificate it was ` +
      `shown. ${INTERCEPT_ADVICE.charAt(0).toUpperCase()}${INTERCEPT_ADVICE.slice(1)}; ask the network's ` +
      "administrator. Otherwise the relay's certificate is invalid or expired.",
  };
}

export interface AnswerDetails {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
  /** Whether the request carried the sign-in token (a 401 then means the sign-in is no longer valid). */
  authenticated: boolean;
  now?: number;
}

/** An answer with an error status, in words. */
export function answerFailure(relayUrl: string, answer: AnswerDetails): Failure {
  const { status, headers, body } = answer;
  const words = relayWords(body);
  if (status === 407) {
    return {
      kind: "proxy-auth",
      error:
        "A proxy between this computer and the relay asks for a username and password. Open any web page in a " +
        "tab and sign in to the proxy there (or set it up in the operating system's proxy settings), then sync again.",
    };
  }
  if (status === 401 && answer.authenticated) {
    return {
      kind: "signed-out",
      error:
        "The relay no longer accepts this browser's sign-in: it was signed out (perhaps from another device) " +
        "or went unused too long. Sign in again on the manager's Account page.",
    };
  }
  if (status === 413) {
    const limit = /(\d+)\s*bytes/.exec(words ?? "")?.[1];
    const said = limit ? ` (its limit is ${bytesInWords(Number(limit))})` : "";
    return {
      kind: "too-large",
      error: `The relay refused a request as too large${said}. Please report this: the extension should split its requests below the limit.`,
    };
  }
  if (status === 429) {
    const wait = retryAfterInWords(headers.get("retry-after"), answer.now ?? Date.now());
    const reason = words ? `${sentence(words, false)}. ` : "The relay received too many requests. ";
    return { kind: "rate-limited", error: `${reason}${wait ? `Try again ${wait}.` : "Try again later."}` };
  }
  if (status >= 500) {
    const gateway = words === undefined;
    return {
      kind: "relay-error",
      error: gateway
        ? `The relay, or a gateway in front of it, is not working right now (HTTP ${status}). Nothing was changed; try again later.`
        : `The relay failed on this request (HTTP ${status}). Nothing was changed; try again later. If it keeps failing, tell whoever runs the relay.`,
    };
  }
  if (words === undefined) {
    return {
      kind: "not-a-relay",
      error: `The address ${relayUrl} answered with HTTP ${status}, but not as a relay would. Check the relay's address.`,
    };
  }
  return { kind: "refused", error: sentence(words) };
}

/** "in 15 minutes", "at 14:05", or null when the header says nothing usable. Accepts seconds or an HTTP date. */
export function retryAfterInWords(value: string | null, now: number): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  let waitMs: number;
  if (/^\d+$/.test(trimmed)) waitMs = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    waitMs = at - now;
  }
  if (waitMs <= 1000) return "in a moment";
  const secs = Math.ceil(waitMs / 1000);
  if (secs < 60) return `in ${plural(secs, "second")}`;
  const minutes = Math.ceil(secs / 60);
  if (minutes < 60) return `in ${plural(minutes, "minute")}`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in about ${plural(hours, "hour")}`;
  return `after ${new Date(now + waitMs).toLocaleString()}`;
}

/** Replaces every copy of the token in a message. */
export function redact(message: string, token: string | null): string {
  if (!token) return message;
  return message.split(token).join("[hidden]");
}

export function bytesInWords(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString("en")} bytes`;
}

function relayWords(body: unknown): string | undefined {
  const message = (body as { error?: unknown } | null | undefined)?.error;
  return typeof message === "string" && message.trim() ? message.trim() : undefined;
}

function sentence(words: string, stop = true): string {
  const s = words.charAt(0).toUpperCase() + words.slice(1);
  const bare = s.replace(/[.!]+$/, "");
  return stop ? `${bare}.` : bare;
}

function seconds(ms: number): string {
  return plural(Math.round(ms / 1000), "second");
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
