// A relay behind a certificate the browser does not trust, as on a network that intercepts TLS: Chromium's fetch
// says only "failed", and Test connection (and a failed sync) must still name the certificate as the cause.
// The server answers TLS and plain HTTP on one port, as nginx does ("plain HTTP request sent to HTTPS port").
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTENSION_DIR, type ExtensionBrowser, launchWithExtension, ROOT, testFolder } from "./browser";

let browser: ExtensionBrowser;
let mux: NetServer;
let plain: Server;
let port = 0;
const HOST = "relay.intercepted.test";
const TOKEN = "t0ken-that-must-not-show-anywhere-in-errors-x";

beforeAll(async () => {
  const folder = testFolder("sync-certificate");
  // A self-signed certificate: what a TLS-intercepting proxy presents when its own root is not trusted.
  const key = path.join(folder, "key.pem");
  const cert = path.join(folder, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${HOST}`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  const secure = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    res.end('{"ok":true}');
  });
  plain = createHttpServer((_req, res) => {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end("The plain HTTP request was sent to HTTPS port");
  });
  mux = createNetServer((socket) => {
    socket.once("readable", () => {
      const first: Buffer | null = socket.read(1);
      if (!first) return void socket.destroy();
      socket.unshift(first);
      (first[0] === 0x16 ? secure : plain).emit("connection", socket);
    });
  });
  await new Promise<void>((resolve) => mux.listen(0, "127.0.0.1", resolve));
  const address = mux.address();
  port = typeof address === "object" && address ? address.port : 0;

  const extensionDir = path.join(folder, "extension");
  const built = () => ["manifest.json", "options.html"].every((f) => existsSync(path.join(EXTENSION_DIR, f)));
  for (let tries = 0; !built() && tries < 120; tries++) await new Promise((r) => setTimeout(r, 500));
  cpSync(EXTENSION_DIR, extensionDir, { recursive: true });
  browser = await launchWithExtension(path.join(folder, "profile"), {
    extensionDir,
    extraArgs: [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => mux?.close(resolve));
  plain?.close();
});

describe("an untrusted certificate", () => {
  it("Test connection and the sync both name the certificate, and say how to trust an intercepting network's", async () => {
    const relayUrl = `https://${HOST}:${port}`;
    await browser.worker.evaluate(
      async ({ relayUrl, token }) => {
        type Storage = { set(items: object): Promise<void> };
        const api = (globalThis as unknown as { chrome: { storage: { local: Storage } } }).chrome.storage.local;
        await api.set({ "profile:default:account": { relayUrl, username: "behind-a-proxy", token } });
      },
      { relayUrl, token: TOKEN },
    );
    const page = await browser.open("options.html#sync");
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect
      .poll(() => page.getByTestId("connection-verdict").textContent(), { timeout: 30_000 })
      .toBe("Failed at: Secure connection (TLS certificate).");
    expect(await page.locator("[data-step=connect]").getAttribute("data-state")).toBe("ok");
    expect(await page.locator("[data-step=tls]").textContent()).toMatch(
      /intercepts secure connections .*certificate must be trusted by the operating system, which the browser then uses/,
    );

    await page.getByRole("button", { name: "Sync now" }).click();
    await expect
      .poll(() => page.getByTestId("sync-status").textContent(), { timeout: 30_000 })
      .toMatch(
        /The last sync failed: The secure connection to relay\.intercepted\.test:\d+ failed: the browser does not trust/,
      );
    expect(await page.getByTestId("sync-status").textContent()).not.toContain(TOKEN);
    mkdirSync(path.join(ROOT, "docs/screenshots"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "docs/screenshots/sync-error-certificate.png"), fullPage: true });
    await page.close();
  });
});
