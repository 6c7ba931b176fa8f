/**
 * The executor handoff under faults with the file lease (a shortened run; `npm run bench -- handoff` runs the full
 * count, and lease-handoff-postgres.test.ts the PostgreSQL lease): a broker that
 * refuses stale fencing tokens accepts orders from one sender at a time, never from a stale token, and a sender
 * frozen past expiry sends at most the one order it had in flight. Prints the median and p99 gap without orders.
 */
import { describe, expect, it } from "vitest";
import { runHandoffs } from "../helpers/handoff.js";

describe("executor handoffs with faults", () => {
  it("file lease: 12 handoffs, two of each fault, no overlap, no stale token accepted", async () => {
    const r = await runHandoffs({ count: 12 });
    console.log(
      `file lease: ${r.handoffs} handoffs ${JSON.stringify(r.faults)}; ${r.accepted} orders accepted, ${r.staleRefused} refused as stale; gap without orders median ${r.median} ms, p99 ${r.p99} ms`,
    );
    expect(r.handoffs).toBe(12);
    expect(r.staleAccepted).toBe(0);
    expect(r.overlapping).toBe(0);
    // only a sender frozen with an order in flight can reach the broker after a newer token exists
    expect(r.staleRefused).toBeLessThanOrEqual(r.faults["stop-old"] ?? 0);
    expect(r.gaps.length).toBeGreaterThanOrEqual(12);
  }, 55_000);
});
