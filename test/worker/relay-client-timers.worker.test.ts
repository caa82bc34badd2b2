// The extension's relay client in workerd, whose limit on timers running at once (10,000) is what a long sync of
// many requests met when every request left its time limit's timer running for a minute.
import { describe, expect, it } from "vitest";
import { RelayClient } from "../../extension/lib/relay-client";

describe("the relay client's time limit", () => {
  it("twelve thousand requests in a row leave no timers running, so a long sync never runs out of them", async () => {
    const answer = () => Promise.resolve(Response.json({ username: "alice", createdAt: 1 }));
    const client = new RelayClient("https://relay.example", "token", answer as unknown as typeof fetch);
    let failed = 0;
    for (let i = 0; i < 12_000; i++) {
      const result = await client.account().catch(() => null);
      if (!result?.ok) failed++;
    }
    expect(failed).toBe(0);
  });
});
