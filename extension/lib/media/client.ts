// The relay's media endpoints (docs/protocol.md, "Media"), over the browser's own network stack like the collection's
// client. Failures are values with a sentence a person can act on, never thrown.
import type { ErrorBody } from "../../../shared/protocol/accounts";
import type {
  MediaChange,
  MediaChangesPage,
  MediaCommitResponse,
  MediaUploaded,
  MediaUsage,
} from "../../../shared/protocol/media";
import type { RelayResult } from "../relay-client";

type Fetch = typeof fetch;

export class MediaClient {
  constructor(
    readonly relayUrl: string,
    private readonly token: string,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  /** A page of names changed after `since`; `upto` null on the first page, then the usn the first page gave. */
  changes(since: number, upto: number | null, after: string | null): Promise<RelayResult<MediaChangesPage>> {
    const params = new URLSearchParams({ since: String(since) });
    if (upto !== null) params.set("upto", String(upto));
    if (after) params.set("after", after);
    return this.json("GET", `/v1/media/changes?${params}`);
  }

  missing(sha1s: string[]): Promise<RelayResult<{ missing: string[] }>> {
    return this.json("POST", "/v1/media/missing", { sha1s });
  }

  commit(requestId: string, changes: MediaChange[]): Promise<RelayResult<MediaCommitResponse>> {
    return this.json("POST", "/v1/media/commit", { requestId, changes });
  }

  usage(): Promise<RelayResult<MediaUsage>> {
    return this.json("GET", "/v1/media/usage");
  }

  upload(sha1: string, bytes: ArrayBuffer): Promise<RelayResult<MediaUploaded>> {
    return this.send("PUT", `/v1/media/files/${sha1}`, bytes, "application/octet-stream", (r) => r.json());
  }

  /** A file's bytes by hash. */
  download(sha1: string): Promise<RelayResult<ArrayBuffer>> {
    return this.send("GET", `/v1/media/files/${sha1}`, undefined, undefined, (r) => r.arrayBuffer());
  }

  private json<T>(method: string, path: string, body?: unknown): Promise<RelayResult<T>> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return this.send(method, path, text, text === undefined ? undefined : "application/json", (r) => r.json());
  }

  private async send<T>(
    method: string,
    path: string,
    body: BodyInit | undefined,
    type: string | undefined,
    read: (response: Response) => Promise<unknown>,
  ): Promise<RelayResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (type) headers["content-type"] = type;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.relayUrl}${path}`, { method, headers, body });
    } catch {
      return {
        ok: false,
        status: null,
        error: `Could not reach the relay at ${this.relayUrl}. Check the address and that you are online.`,
      };
    }
    if (response.ok) {
      try {
        return { ok: true, value: (await read(response)) as T };
      } catch {
        return { ok: false, status: response.status, error: "The relay's answer was cut off; try again." };
      }
    }
    const parsed = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
    const code = parsed?.code;
    return {
      ok: false,
      status: response.status,
      error: describe(response, parsed),
      ...(typeof code === "string" ? { code } : {}),
    };
  }
}

function describe(response: Response, parsed: Partial<ErrorBody> | undefined): string {
  const message = parsed?.error;
  if (typeof message !== "string") {
    return `The address answered with HTTP ${response.status}, but not as a relay would. Check the relay's address.`;
  }
  const sentence = message.charAt(0).toUpperCase() + message.slice(1);
  return sentence.endsWith(".") ? sentence : `${sentence}.`;
}
