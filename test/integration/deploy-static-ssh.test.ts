/** The static frontend and backend coupled-deploy scenario (test/helpers/static-shop.ts) on an SSH target. */
import { afterAll, beforeAll, describe, it } from "vitest";
import { type Sshd, startSshd } from "../helpers/sshd.js";
import { staticScenario } from "../helpers/static-shop.js";

let sshd: Sshd | undefined;
beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});

describe("static frontends over SSH", () => {
  it("ship with their backend to an SSH target, switch atomically, and roll back with it", async () => {
    await staticScenario(sshd!.host, sshd!.clientConfig);
  }, 90_000);
});
