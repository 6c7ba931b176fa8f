/** The static frontend and backend coupled-deploy scenario (test/helpers/static-shop.ts) on an SSH target. */
import { describe, it } from "vitest";
import { sshdForFile } from "../helpers/sshd.js";
import { staticScenario } from "../helpers/static-shop.js";

const sshd = sshdForFile();

describe("static frontends over SSH", () => {
  it("ship with their backend to an SSH target, switch atomically, and roll back with it", async () => {
    await staticScenario(sshd().host, sshd().clientConfig);
  }, 90_000);
});
