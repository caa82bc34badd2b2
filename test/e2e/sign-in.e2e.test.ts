import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../../scripts/relay-process";
import { type ExtensionBrowser, launchWithExtension, screenshot, testFolder } from "./browser";

let relay: RunningRelay;
let browser: ExtensionBrowser;

beforeAll(async () => {
  const folder = testFolder("sign-in");
  relay = await startRelay({ stateDir: path.join(folder, "state"), tmpDir: path.join(folder, "tmp") });
  browser = await launchWithExtension(path.join(folder, "profile"));
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
});

describe("signing in from the extension", () => {
  it("before signing in, the badge and the popup say so", async () => {
    await expect.poll(() => browser.badge()).toEqual({ text: "off", title: expect.stringMatching(/not signed in/) });
    const popup = await browser.open("popup.html");
    await expect.poll(() => popup.getByTestId("who").textContent()).toMatch(/Not signed in/);
    await screenshot(popup, "popup-signed-out");
    await popup.close();
  });

  it("a relay address over plain http to another computer is refused in words", async () => {
    const options = await browser.open("options.html#account");
    await options.fill("input[name=relayUrl]", "http://relay.example.com");
    await options.fill("input[name=username]", "someone");
    await options.fill("input[name=password]", "a long password");
    await options.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => options.getByRole("alert").textContent()).toMatch(/Use https:\/\//);
    await options.close();
  });

  it("signing up in the options page signs in: the badge and the popup show the account", async () => {
    const options = await browser.open("options.html#account");
    await options.fill("input[name=relayUrl]", relay.url);
    await options.fill("input[name=username]", "Student.One");
    await options.fill("input[name=password]", "a long password");
    await options.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => options.getByTestId("username").textContent()).toBe("Student.One");
    await screenshot(options, "options-signed-in");
    await options.close();

    await expect.poll(() => browser.badge()).toEqual({ text: "", title: expect.stringContaining("Student.One") });
    const popup = await browser.open("popup.html");
    await popup.setViewportSize({ width: 360, height: 200 });
    await expect.poll(() => popup.getByTestId("who").textContent()).toMatch(/Signed in as Student\.One/);
    await screenshot(popup, "popup-signed-in");
    await popup.close();
  });

  it("the token is kept in the extension's storage, and the relay accepts it", async () => {
    const stored = await browser.worker.evaluate(async () => {
      type Storage = { get(key: string): Promise<Record<string, { token: string }>> };
      const api = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome;
      return (await api.storage.local.get("profile:default:account"))["profile:default:account"];
    });
    const response = await fetch(`${relay.url}/v1/accounts/current`, {
      headers: { authorization: `Bearer ${stored?.token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ username: "Student.One" });
  });

  it("logging out revokes the token on the relay and the badge shows signed out again", async () => {
    const stored = await browser.worker.evaluate(async () => {
      type Storage = { get(key: string): Promise<Record<string, { token: string }>> };
      const api = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome;
      return (await api.storage.local.get("profile:default:account"))["profile:default:account"];
    });
    const options = await browser.open("options.html#account");
    await options.getByRole("button", { name: "Log out" }).click();
    await expect.poll(() => options.getByRole("status").textContent()).toMatch(/Signed out/);
    await expect.poll(() => browser.badge()).toMatchObject({ text: "off" });
    const response = await fetch(`${relay.url}/v1/accounts/current`, {
      headers: { authorization: `Bearer ${stored?.token}` },
    });
    expect(response.status).toBe(401);
    await options.close();
  });

  it("a wrong password is reported in words and leaves the person signed out", async () => {
    const options = await browser.open("options.html#account");
    await options.fill("input[name=username]", "student.one");
    await options.fill("input[name=password]", "not the password");
    await options.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => options.getByRole("alert").textContent()).toBe("Wrong username or password.");
    await screenshot(options, "options-wrong-password");
    await options.fill("input[name=password]", "a long password");
    await options.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => options.getByTestId("username").textContent()).toBe("Student.One");
    await options.close();
  });

  it("a relay that asks for an invitation code: the form offers a field for it, and the right code creates the account", async () => {
    const folder = testFolder("sign-in-invitation");
    const invited = await startRelay({
      stateDir: path.join(folder, "state"),
      tmpDir: path.join(folder, "tmp"),
      vars: { SIGNUP: "invitation", SIGNUP_INVITATION: "spring-deck-2026" },
    });
    try {
      const other = await launchWithExtension(path.join(folder, "profile"));
      const options = await other.open("options.html#account");
      await options.fill("input[name=relayUrl]", invited.url);
      await options.fill("input[name=username]", "Invited.One");
      await options.fill("input[name=password]", "a long password");
      await options.getByRole("button", { name: "Create account" }).click();
      await expect.poll(() => options.getByRole("alert").textContent()).toMatch(/only with an invitation code/);
      await options.fill("input[name=invitation]", "not the code");
      await options.getByRole("button", { name: "Create account" }).click();
      await expect.poll(() => options.getByRole("alert").textContent()).toMatch(/invitation code is not right/);
      await screenshot(options, "options-invitation-code");
      await options.fill("input[name=invitation]", "spring-deck-2026");
      await options.getByRole("button", { name: "Create account" }).click();
      await expect.poll(() => options.getByTestId("username").textContent()).toBe("Invited.One");
      await other.close();
    } finally {
      await invited.stop();
    }
  });
});
