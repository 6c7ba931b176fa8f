/** Magellan's strategy runners' deploy scenario (test/helpers/magellan-shop.ts) on an SSH target. */
import { describe, it } from "vitest";
import { magellanScenario } from "../helpers/magellan-shop.js";
import { sshdForFile } from "../helpers/sshd.js";

const sshd = sshdForFile();

describe("Magellan's strategy runners over SSH", () => {
  it("deploy twice with `deploy all` and roll back, each with its environment and the lease", async () => {
    await magellanScenario(sshd().host, sshd().clientConfig);
  }, 60_000);
});
