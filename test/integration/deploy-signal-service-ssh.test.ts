/**
 * The desk's Python signal service (signal-lab), its code unchanged, deployed twice and rolled back on an SSH target
 * with tradeops installed and AWS reachable, as on a host with a role (test/helpers/signal-shop.ts): one signal chain
 * in the target's shared area, verified over SSH after each step.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fakeAwsForFile } from "../helpers/aws-server.js";
import { signalScenario } from "../helpers/signal-shop.js";
import { sshdForFile } from "../helpers/sshd.js";

beforeAll(() => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
});
const aws = fakeAwsForFile();
const sshd = sshdForFile(() => ({ tradeops: true, env: aws().env() }));

describe("a Python signal service deployed over SSH", () => {
  it("twice and back, its signal chain kept and verified on the host", async () => {
    await signalScenario(aws(), sshd());
  }, 60_000);
});
