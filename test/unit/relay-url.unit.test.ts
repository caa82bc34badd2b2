import { describe, expect, it } from "vitest";
import { parseRelayUrl } from "../../shared/relay-url";

describe("the relay address a person types", () => {
  it.each([
    ["https://relay.example.com", "https://relay.example.com"],
    ["  https://relay.example.com/  ", "https://relay.example.com"],
    ["https://example.com/anki/relay//", "https://example.com/anki/relay"],
    ["HTTPS://Relay.Example.COM:8443", "https://relay.example.com:8443"],
    ["http://127.0.0.1:8787", "http://127.0.0.1:8787"],
    ["http://localhost:8787/", "http://localhost:8787"],
    ["http://[::1]:8787", "http://[::1]:8787"],
  ])("accepts %s as %s", (input, expected) => {
    expect(parseRelayUrl(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["", /Enter the relay's address/],
    ["relay.example.com", /not a web address/],
    ["ftp://relay.example.com", /must start with https/],
    ["javascript:alert(1)", /must start with https/],
    ["http://relay.example.com", /plain http:\/\/ is allowed only for a relay on this computer/],
    ["http://192.168.1.10:8787", /plain http:\/\//],
    ["https://user:pass@relay.example.com", /user name or password/],
    ["https://relay.example.com/?token=1", /\? or #/],
  ])("refuses %j and says why", (input, words) => {
    const result = parseRelayUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(words);
  });
});
