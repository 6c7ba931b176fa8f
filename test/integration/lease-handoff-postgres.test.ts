/**
 * The executor handoff under faults with the PostgreSQL lease (the lease of order senders on many hosts): one row
 * per project and account, changed under a row lock, expiry judged by the database's clock. Same guarantees as the
 * file lease: no overlap at a broker that refuses stale tokens, no stale token accepted.
 */
import { describe, expect, it } from "vitest";
import { runHandoffs } from "../helpers/handoff.js";
import { createDatabase } from "../helpers/postgres.js";

describe("executor handoffs with faults", () => {
  it("PostgreSQL lease: 6 handoffs, one of each fault, no overlap, no stale token accepted", async () => {
    const url = await createDatabase("lease");
    const r = await runHandoffs({ count: 6, postgresUrl: url });
    console.log(
      `postgres lease: ${r.handoffs} handoffs; ${r.accepted} accepted, ${r.staleRefused} refused as stale; gap median ${r.median} ms, p99 ${r.p99} ms`,
    );
    expect(r.staleAccepted).toBe(0);
    expect(r.overlapping).toBe(0);
    expect(r.staleRefused).toBeLessThanOrEqual(r.faults["stop-old"] ?? 0);
  }, 55_000);
});
