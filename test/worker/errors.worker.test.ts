import { StatusError } from "itty-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse } from "../../worker/lib/errors";

const request = new Request("https://relay.test/v1/sessions", { method: "POST" });

afterEach(() => vi.restoreAllMocks());

describe("turning errors into answers", () => {
  it("an unexpected error is a 500 that reveals nothing, and its log line has no message or stack", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const secret = new Error("D1_ERROR: token_hash=abc123secret near 'SELECT'");
    const response = errorResponse(secret, request);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: "the relay failed on this request; try again later" });
    expect(body).not.toContain("abc123secret");
    const logged = log.mock.calls.flat().map(String).join(" ");
    expect(logged).toContain("POST /v1/sessions");
    expect(logged).not.toContain("abc123secret");
    expect(logged).not.toContain("    at ");
  });

  it("a StatusError keeps its status and words", async () => {
    const response = errorResponse(new StatusError(409, 'the username "a" is already taken'), request);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: 'the username "a" is already taken' });
  });

  it("a StatusError with a 5xx status is still told as a plain relay failure", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = errorResponse(new StatusError(503, "internal detail"), request);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("internal detail");
  });
});
