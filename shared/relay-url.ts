import type { Checked } from "./protocol/validate";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Checks a relay address typed by a person and returns its normalised form (origin plus path, no trailing
 * slash). Plain http is allowed only for a relay on this computer, since the bearer token would travel in clear.
 */
export function parseRelayUrl(input: string): Checked<string> {
  const text = input.trim();
  if (text === "") return { ok: false, error: "Enter the relay's address, for example https://relay.example.com" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `"${text}" is not a web address; it should look like https://relay.example.com` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, error: `The relay's address must start with https:// (not ${url.protocol}//)` };
  }
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) {
    return {
      ok: false,
      error: "Use https:// — plain http:// is allowed only for a relay on this computer (localhost or 127.0.0.1)",
    };
  }
  if (url.username || url.password) {
    return { ok: false, error: "The relay's address must not contain a user name or password" };
  }
  if (url.search || url.hash) {
    return { ok: false, error: "The relay's address must not contain ? or # parts" };
  }
  const path = url.pathname.replace(/\/+$/, "");
  return { ok: true, value: `${url.origin}${path}` };
}
