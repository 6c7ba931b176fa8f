/**
 * The warm spare through the CLI (`status`, `status --json` and `stop` of a background supervisor), and a spare that
 * dies being replaced at once, up to three times for one launch. Real processes: the desk's argo, the built CLI.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { InstanceStatus } from "../../src/supervisor/types.js";
import { closeAll, desk, pids, SECRET, supervise } from "../helpers/spare-desk.js";
import { cliEnv, freePort, isAlive, runCli, waitFor } from "../supervisor/helpers.js";

afterEach(closeAll);

describe("warm spare", () => {
  it("tradeops status shows the spare (text and --json); tradeops stop stops it with the service", async () => {
    const ws = desk();
    const port = await freePort();
    const env = await cliEnv({ ARGO_CONTROL_TOKEN: SECRET });
    const cli = (...args: string[]) => runCli(["--workspace", ws, ...args], env, ws);
    try {
      const started = await cli("start", "argo", "--port", String(port), "--wait-healthy", "40");
      expect(started.code, started.stderr).toBe(0);
      const spare = await waitFor(
        "a ready spare in status --json",
        async () => {
          const { stdout } = await cli("status", "argo", "--json");
          const one = (JSON.parse(stdout) as { instances: InstanceStatus[] }).instances[0];
          pids.add(one?.pid, one?.spare?.pid);
          return one?.spare?.state === "ready" ? one.spare : undefined;
        },
        40_000,
        200,
      );
      expect(spare.fingerprint).toMatch(/^[0-9a-f]{12}$/);
      const text = await cli("status", "argo");
      expect(text.stdout).toContain(`warm spare pid ${spare.pid}: ready since`);
      const stopped = await cli("stop", "argo");
      expect(stopped.code, stopped.stderr).toBe(0);
      await waitFor("the spare gone", () => !isAlive(spare.pid));
      const after = JSON.parse((await cli("status", "argo", "--json")).stdout) as { instances: InstanceStatus[] };
      expect(after.instances[0]).toMatchObject({ state: "stopped", spare: null });
      expect(JSON.stringify([started, text, stopped, after])).not.toContain(SECRET);
    } finally {
      await cli("supervisor", "stop");
    }
  }, 150_000);

  it("a spare that dies is replaced at once, up to three times for one launch", async () => {
    const ws = desk();
    const { argo, stateDir, readySpare } = await supervise(ws);
    let spare = await readySpare();
    for (let n = 1; n < 3; n++) {
      process.kill(spare.pid, "SIGKILL");
      spare = await readySpare(spare.pid);
    }
    process.kill(spare.pid, "SIGKILL");
    const log = join(stateDir, "logs/argo.log");
    await waitFor("the third exit recorded", () =>
      readFileSync(log, "utf8").includes("exited by itself, 3 times: no spare for this launch"),
    );
    expect(argo()).toMatchObject({ state: "running", spare: null });
  }, 150_000);
});
