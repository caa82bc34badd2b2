import { describe, expect, it } from "vitest";
import { AccountDeletion, Credentials, usernameKey } from "../../shared/protocol/accounts";
import { check } from "../../shared/protocol/validate";

describe("credentials", () => {
  it("accept letters of any script, digits and . _ - @ +", () => {
    for (const username of ["alice", "Zoë", "学生.01", "a_b-c+d@example.org"]) {
      expect(check(Credentials, { username, password: "long enough" })).toEqual({
        ok: true,
        value: { username, password: "long enough" },
      });
    }
  });

  it("trim the username and normalise it to NFKC, and the password to NFC", () => {
    const result = check(Credentials, { username: "  ｚoe\u0308 ", password: "cafe\u0301 au lait" });
    expect(result).toEqual({ ok: true, value: { username: "zoë", password: "café au lait" } });
  });

  it.each([
    [{ username: "a b", password: "long enough" }, /only letters, digits/],
    [{ username: "a;b", password: "long enough" }, /only letters, digits/],
    [{ username: "a\u202eb", password: "long enough" }, /only letters, digits/],
    [{ username: "x".repeat(65), password: "long enough" }, /longer than 64/],
    [{ username: "alice", password: "short" }, /at least 8/],
    [{ username: "alice", password: "tab\there!" }, /control characters/],
    [{ username: "alice", password: "line\u2028break" }, /control characters/],
    [{ username: "alice" }, /password is missing/],
    [{ username: "alice", password: "long enough", extra: 1 }, /unexpected field "extra"/],
    ["alice:long enough", /JSON object with username and password/],
  ])("refuse %j with a sentence", (input, words) => {
    const result = check(Credentials, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(words);
  });

  it("account deletion takes the password only", () => {
    expect(check(AccountDeletion, { password: "long enough" }).ok).toBe(true);
    const result = check(AccountDeletion, { password: "long enough", username: "alice" });
    expect(result).toEqual({ ok: false, error: 'unexpected field "username"; expected password' });
  });
});

describe("username keys", () => {
  it("are equal for names that differ only in case or Unicode form", () => {
    expect(usernameKey("ZOE\u0308")).toBe(usernameKey("zoë"));
    expect(usernameKey("ｚｏë")).toBe(usernameKey("Zoë"));
    expect(usernameKey("alice")).not.toBe(usernameKey("alicf"));
  });
});
