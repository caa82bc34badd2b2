// Sign-up and log-in latency against a local relay: dominated by PBKDF2 at 100,000 iterations.
import { formatMs, percentiles, timed } from "./stats";

export async function benchAccounts(relayUrl: string, count: number): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${relayUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const signUps: number[] = [];
  const logIns: number[] = [];
  const password = "benchmark password";
  for (let i = 0; i < count; i++) {
    const username = `bench${Date.now().toString(36)}${i}`;
    const [created, signUpMs] = await timed(() => post("/v1/accounts", { username, password }));
    if (created.status !== 201) throw new Error(`sign-up answered ${created.status}: ${await created.text()}`);
    await created.body?.cancel();
    signUps.push(signUpMs);
    const [session, logInMs] = await timed(() => post("/v1/sessions", { username, password }));
    if (session.status !== 200) throw new Error(`log-in answered ${session.status}: ${await session.text()}`);
    await session.body?.cancel();
    logIns.push(logInMs);
  }
  for (const [name, values] of [
    ["sign-up", signUps],
    ["log-in", logIns],
  ] as const) {
    const { median, p95, n } = percentiles(values);
    console.log(
      `  ${name.padEnd(10)} median ${formatMs(median).padStart(9)}   p95 ${formatMs(p95).padStart(9)}   (${n} requests)`,
    );
  }
}
