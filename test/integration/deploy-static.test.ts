/**
 * A static frontend coupled with its backend, in a fresh workspace, on a local target (the SSH target in
 * deploy-static-ssh.test.ts): the frontend's build output ships as a release directory and `current` is renamed
 * onto it; the backend serves `current` as the docs say. Both ship together, a reader never sees a mix of two
 * releases, a failure of either member rolls both back, and gate 8 reads the frontend's sources even when it has
 * no target of its own.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { coupledShop, staticScenario } from "../helpers/static-shop.js";

describe("static frontends", () => {
  it("ship with their backend to a local target, switch atomically, and roll back with it", async () => {
    await staticScenario("local");
  }, 90_000);

  it("gate 8 reads every member of a coupled group, even a frontend without a target", async () => {
    const { shop, run } = await coupledShop({ frontendTarget: false });
    onTestFinished(() => shop.cleanup());
    shop.commit("debug output in the frontend", { "web/src/app.js": "console.log('debug');\n" });
    const gates = await run("gates", "api", "--to", "staging", "--since", "HEAD~1");
    expect(gates.stdout + gates.stderr).toMatch(/gate +8 code quality: 1 line holds refused patterns/);
    expect(gates.stdout + gates.stderr).toContain("web/src/app.js:1: matches /console\\.log/");
  }, 60_000);
});
