/** The tick collector's worker deploy scenario (test/helpers/worker-shop.ts) on an SSH target. */
import { describe, it } from "vitest";
import { sshdForFile } from "../helpers/sshd.js";
import { collectorScenario } from "../helpers/worker-shop.js";

const sshd = sshdForFile();

describe("worker deploys over SSH", () => {
  it("a tick collector on an SSH target deploys twice and rolls back without a port, its rows kept", async () => {
    await collectorScenario(sshd().host, sshd().clientConfig);
  }, 120_000);
});
