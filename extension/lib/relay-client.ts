// Talks to the relay over the browser's own network stack (so system proxies and trusted certificates apply)
// and turns every failure into a sentence a person can act on. Failures are values, never thrown.
import type { AccountInfo, SessionCreated } from "../../shared/protocol/accounts";
import type {
  ChangesPage,
  CollectionDigest,
  CollectionPage,
  CommitRequest,
  CommitResponse,
  StartRequest,
  StartResponse,
  UploadCommitRequest,
  WireObject,
} from "../../shared/sync/protocol";
import { answerFailure, type FailureKind, networkFailure, redact } from "./sync/errors";

export type RelayResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number | null; error: string; kind?: FailureKind; code?: string };

type Fetch = typeof fetch;

export interface ClientOptions {
  /** How long one request may take before it counts as timed out. */
  timeoutMs?: number;
  /** Whether the browser thinks it is online (navigator.onLine). */
  online?: () => boolean;
}

/** Long enough for a page of 2,000 records on a slow line, short enough that a dead network is noticed. */
export const REQUEST_TIMEOUT_MS = 60_000;

export const browserOnline = (): boolean =>
  (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;

export class RelayClient {
  constructor(
    readonly relayUrl: string,
    private readonly token: string | null = null,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
    private readonly options: ClientOptions = {},
  ) {}

  /** `invitation`: the code a relay whose owner requires one asks for (left out when empty). */
  signUp(username: string, password: string, invitation = ""): Promise<RelayResult<SessionCreated>> {
    return this.request(
      "POST",
      "/v1/accounts",
      invitation ? { username, password, invitation } : { username, password },
    );
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

  startSync(body: StartRequest): Promise<RelayResult<StartResponse>> {
    return this.request("POST", "/v1/sync/start", body);
  }

  changes(since: number, upto: number, after: string | null): Promise<RelayResult<ChangesPage>> {
    const cursor = after ? `&after=${encodeURIComponent(after)}` : "";
    return this.request("GET", `/v1/sync/changes?since=${since}&upto=${upto}${cursor}`);
  }

  /** A page of the whole collection; `upto` null on the first page, then the usn the first page gave. */
  collectionPage(upto: number | null, after: string | null): Promise<RelayResult<CollectionPage>> {
    const params = new URLSearchParams();
    if (upto !== null) params.set("upto", String(upto));
    if (after) params.set("after", after);
    return this.request("GET", `/v1/sync/collection?${params}`);
  }

  putChunk(
    kind: "pushes" | "uploads",
    session: string,
    chunk: number,
    objects: WireObject[],
  ): Promise<RelayResult<{ staged: number }>> {
    return this.request("PUT", `/v1/sync/${kind}/${session}/chunks/${chunk}`, { objects });
  }

  commitPush(session: string, body: CommitRequest): Promise<RelayResult<CommitResponse>> {
    return this.request("POST", `/v1/sync/pushes/${session}/commit`, body);
  }

  commitUpload(session: string, body: UploadCommitRequest): Promise<RelayResult<{ usn: number }>> {
    return this.request("POST", `/v1/sync/uploads/${session}/commit`, body);
  }

  /**
   * Settles a push or upload whose commit got no answer: the usn it was committed at, or null, after which it never
   * will be.
   */
  abandon(kind: "pushes" | "uploads", session: string): Promise<RelayResult<{ usn: number | null }>> {
    return this.request("DELETE", `/v1/sync/${kind}/${session}`);
  }

  digest(): Promise<
    RelayResult<{ usn: number; collectionId: string | null; scm: number | null; digest: CollectionDigest }>
  > {
    return this.request("GET", "/v1/sync/digest");
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<RelayResult<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const timeoutMs = this.options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    // The time limit covers the answer's body too, and its timer goes once the answer is read: a timer left running
    // for every request (as AbortSignal.timeout leaves it) adds up to thousands in a long sync, past what a
    // runtime allows (workerd stops at 10,000).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
    try {
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.relayUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: controller.signal,
        });
      } catch (thrown) {
        const online = (this.options.online ?? browserOnline)();
        return this.failed(null, networkFailure(this.relayUrl, thrown, online, timeoutMs));
      }
      return await this.answer<T>(response);
    } finally {
      clearTimeout(timer);
    }
  }

  private async answer<T>(response: Response): Promise<RelayResult<T>> {
    if (response.status === 204) return { ok: true, value: null as T };
    const parsed = await response.json().catch(() => undefined);
    if (response.ok && parsed !== undefined) return { ok: true, value: parsed as T };
    const failure = answerFailure(this.relayUrl, {
      status: response.status,
      headers: response.headers,
      body: parsed,
      authenticated: this.token !== null,
    });
    const code = (parsed as { code?: unknown } | undefined)?.code;
    return this.failed(response.status, failure, typeof code === "string" ? code : undefined);
  }

  private failed(status: number | null, failure: { kind: FailureKind; error: string }, code?: string) {
    return {
      ok: false as const,
      status,
      kind: failure.kind,
      error: redact(failure.error, this.token),
      ...(code ? { code } : {}),
    };
  }
}
