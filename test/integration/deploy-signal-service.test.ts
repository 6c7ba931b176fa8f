/**
 * The desk's Python signal service (signal-lab), its code unchanged, deployed twice and rolled back on a local target
 * (the SSH target in deploy-signal-service-ssh.test.ts): each release records its signals into one chain in the
 * target's shared area that outlives releases and the rollback, verified with tradeops on the target after each step.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fakeAwsForFile } from "../helpers/aws-server.js";
import { signalScenario } from "../helpers/signal-shop.js";

beforeAll(() => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
});
const aws = fakeAwsForFile();

describe("a Python signal service deployed", () => {
  it("on a local target twice and back, its signal chain kept and verified on the target", async () => {
    await signalScenario(aws());
  }, 60_000);
});
