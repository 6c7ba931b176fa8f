/**
 * Argo's Python signal service, its code unchanged, deployed twice and rolled back on an SSH target with tradeops
 * installed and AWS reachable, as on a host with a role (test/helpers/signal-shop.ts): one signal chain in the
 * persistent data/, verified over SSH after each step.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAws, startFakeAws } from "../helpers/aws-server.js";
import { signalScenario } from "../helpers/signal-shop.js";
import { type Sshd, startSshd } from "../helpers/sshd.js";

let aws: FakeAws | undefined;
let sshd: Sshd | undefined;
beforeAll(async () => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
  aws = await startFakeAws();
  sshd = await startSshd({ tradeops: true, env: aws.env() });
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
  await aws?.close();
});

describe("a Python signal service deployed over SSH", () => {
  it("twice and back, its signal chain kept and verified on the host", async () => {
    await signalScenario(aws!, sshd);
  }, 60_000);
});
