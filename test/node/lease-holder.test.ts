/**
 * The name a deployed process holds the executor lease under: its release, and with TRADEOPS_LEASE_HOST (the
 * PostgreSQL lease across hosts) `<release>@<host>`, so that the release's processes on other hosts stand by.
 */
import { describe, expect, it } from "vitest";
import { leaseHolderName } from "../../src/node/lease.js";

describe("lease holder name", () => {
  it("is the release on one host, and names the host when the lease spans hosts", () => {
    expect(leaseHolderName({ TRADEOPS_RELEASE: "20261203T050000Z-ab12cd3" })).toEqual({
      holder: "20261203T050000Z-ab12cd3",
      release: "20261203T050000Z-ab12cd3",
      standsBy: false,
    });
    expect(
      leaseHolderName({ TRADEOPS_RELEASE: "20261203T050000Z-ab12cd3", TRADEOPS_LEASE_HOST: "deploy@fyers-a" }),
    ).toEqual({
      holder: "20261203T050000Z-ab12cd3@deploy@fyers-a",
      release: "20261203T050000Z-ab12cd3",
      standsBy: true,
    });
  });

  it("has no holder outside a deploy, even with a host set", () => {
    expect(leaseHolderName({ TRADEOPS_LEASE_HOST: "deploy@fyers-a" })).toEqual({ standsBy: false });
    expect(leaseHolderName({ TRADEOPS_RELEASE: "" }).holder).toBeUndefined();
  });
});
