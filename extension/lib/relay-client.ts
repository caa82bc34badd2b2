// Talks to the relay over the browser's own network stack (so system proxies and trusted certificates apply)
// and turns every failure into a sentence a person can act on. Failures are values, never thrown.
import type { AccountInfo, ErrorBody, SessionCreated } from "../../shared/protocol/accounts";

export type RelayResult<T> = { ok: true; value: T } | { ok: false; status: number | null; error: string };

type Fetch = typeof fetch;

export class RelayClient {
  constructor(
    readonly relayUrl: string,
    private readonly token: string | null = null,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  signUp(username: string, password: string): Promise<RelayResult<SessionCreated>> {
    return this.request("POST", "/v1/accounts", { username, password });
  }

  logIn(username: string, password: string): Promise<RelayResult<SessionCreated>> {
    return this.request("POST", "/v1/sessions", { username, password });
  }

  logOut(): Promise<RelayResult<null>> {
    return this.request("DELETE", "/v1/sessions/current");
  }

  account(): Promise<RelayResult<AccountInfo>> {
    return this.request("GET", "/v1/accounts/current");
  }

  deleteAccount(password: string): Promise<RelayResult<null>> {
    return this.request("DELETE", "/v1/accounts/current", { password });
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<RelayResult<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.relayUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return {
        ok: false,
        status: null,
        error: `Could not reach the relay at ${this.relayUrl}. Check the address and that you are online.`,
      };
    }
    if (response.status === 204) return { ok: true, value: null as T };
    const parsed = await response.json().catch(() => undefined);
    if (response.ok && parsed !== undefined) return { ok: true, value: parsed as T };
    return { ok: false, status: response.status, error: describeFailure(response, parsed) };
  }
}

function describeFailure(response: Response, parsed: unknown): string {
  const message = (parsed as Partial<ErrorBody> | undefined)?.error;
  if (typeof message !== "string") {
    return `The address answered with HTTP ${response.status}, but not as a relay would. Check the relay's address.`;
  }
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  const retry = Number(response.headers.get("retry-after"));
  if (response.status === 429 && retry > 0) return `${sentence} (the relay asks to wait ${retry} s).`;
  return sentence.endsWith(".") ? sentence : `${sentence}.`;
}
