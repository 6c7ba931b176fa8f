/**
 * Worker deploys on a local target (the SSH target in deploy-workers-ssh.test.ts): a Python tick collector without
 * a port, writing SQLite rows under a persistent data/ and touching a heartbeat, deployed twice (start new →
 * heartbeat since its start → stop old) and rolled back, its rows kept throughout; a release whose heartbeat never
 * comes is refused and the old one keeps collecting.
 */
import { describe, it } from "vitest";
import { collectorScenario } from "../helpers/worker-shop.js";

describe("worker deploys", () => {
  it("a tick collector on a local target deploys twice and rolls back without a port, its rows kept", async () => {
    await collectorScenario("local");
  }, 120_000);
});
