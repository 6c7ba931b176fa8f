/**
 * Magellan's three strategy runners, unchanged (prod/<strategy>/runner.py reading ENVIRONMENT, USE_ARCHIVED_DATA and
 * LOG_LEVEL, one project per strategy, no port), deployed twice with `deploy all` to a local target and each rolled
 * back (the SSH target in deploy-magellan-runners-ssh.test.ts): each runs as a worker that sends orders — the old
 * runner gone before the new one starts, the lease following — with the environment in the shop's own variables.
 */
import { describe, it } from "vitest";
import { magellanScenario } from "../helpers/magellan-shop.js";

describe("Magellan's strategy runners", () => {
  it("deploy twice with `deploy all` and roll back, each with its environment and the lease", async () => {
    await magellanScenario("local");
  }, 60_000);
});
