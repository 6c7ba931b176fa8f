/** The tick collector's worker deploy scenario (test/helpers/worker-shop.ts) on an SSH target. */
import { afterAll, beforeAll, describe, it } from "vitest";
import { type Sshd, startSshd } from "../helpers/sshd.js";
import { collectorScenario } from "../helpers/worker-shop.js";

let sshd: Sshd | undefined;
beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});

describe("worker deploys over SSH", () => {
  it("a tick collector on an SSH target deploys twice and rolls back without a port, its rows kept", async () => {
    await collectorScenario(sshd!.host, sshd!.clientConfig);
  }, 120_000);
});
