/**
 * The warm spare (health.warmSpare) with real processes: the example desk's argo (an order sender) served by the built
 * CLI under an in-process supervisor. A SIGKILLed argo is replaced by its spare (the pid becomes the spare's, /health
 * answers, a new spare follows); the spare binds no port and takes no lease until it goes, then takes the lease through
 * the normal path; a config change makes the spare unusable (a fresh process starts, the spare is replaced); stop
 * leaves no process; no secret reaches status, logs, events or the state file. (The CLI and a dying spare:
 * supervisor-spare-cli.test.ts.)
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SUPERVISOR_MARKER, supervisorMarker } from "../../src/supervisor/command.js";
import { findProcessesWithEnv } from "../../src/supervisor/process-info.js";
import {
  closeAll,
  desk,
  everythingWritten,
  leaseHolder,
  openFiles,
  pids,
  SECRET,
  supervise,
} from "../helpers/spare-desk.js";
import { httpGet, isAlive, waitFor } from "../supervisor/helpers.js";

afterEach(closeAll);

describe("warm spare", () => {
  it("a crash hands over to the spare, which takes the lease only then; a new spare follows; stop leaves nothing", async () => {
    const ws = desk();
    const { supervisor, argo, port, stateDir, readySpare } = await supervise(ws);
    const active = argo().pid!;
    const spare = await readySpare();
    expect(spare.pid).not.toBe(active);
    // standing by: the active process holds the lease; the spare has nothing open but its logs and its IPC channel
    // (no port, no signal store, no lease)
    await waitFor("the active process holding the lease", () => leaseHolder(ws) === `local:${active}`, 20_000);
    const files = openFiles(spare.pid);
    expect(files.filter((f) => (f.startsWith(ws) && !f.endsWith(".log")) || f.endsWith(".db"))).toEqual([]);
    expect(files.filter((f) => f.startsWith("socket:")).length).toBeLessThanOrEqual(1);

    process.kill(active, "SIGKILL");
    const after = await waitFor("the spare serving", async () => {
      const i = argo();
      return i.pid === spare.pid && (await httpGet(port, "/health")).status === 200 ? i : undefined;
    });
    expect(after.lastExit).toMatchObject({ signal: "SIGKILL" });
    expect(isAlive(active)).toBe(false);
    // the lease through the normal path: once the killed holder's lapses, the former spare holds it
    await waitFor("the former spare holding the lease", () => leaseHolder(ws) === `local:${spare.pid}`, 20_000);
    await supervisor.waitRunning("argo", 40_000);
    const next = await readySpare(spare.pid);
    expect(next.pid).not.toBe(spare.pid);

    await supervisor.stop({ project: "argo" });
    const marker = supervisorMarker(stateDir, "argo");
    expect(findProcessesWithEnv(SUPERVISOR_MARKER, marker)).toEqual([]);
    expect(argo()).toMatchObject({ state: "stopped", pid: null, spare: null });
    for (const pid of [active, spare.pid, next.pid]) expect(isAlive(pid)).toBe(false);

    const logged = everythingWritten(stateDir) + JSON.stringify(supervisor.status());
    expect(logged).toContain(`spare pid ${spare.pid} takes over`);
    expect(logged).not.toContain(SECRET);
  }, 150_000);

  it("after a config change the spare is never used: a fresh process starts and the spare is replaced", async () => {
    const ws = desk();
    const { argo, port, readySpare } = await supervise(ws);
    const active = argo().pid!;
    const spare = await readySpare();
    const config = join(ws, "argo/config/development.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("max_trade_usd: 1000", "max_trade_usd: 1500"));

    process.kill(active, "SIGKILL");
    const fresh = await waitFor("a fresh process serving", async () => {
      const i = argo();
      return i.pid && i.pid !== active && (await httpGet(port, "/health")).status === 200 ? i : undefined;
    });
    pids.add(fresh.pid);
    expect(fresh.pid).not.toBe(spare.pid);
    await waitFor("the stale spare gone", () => !isAlive(spare.pid));
    expect(readFileSync(`/proc/${fresh.pid}/environ`, "utf8")).toMatch(/MAX_TRADE_USD=1500\0/);
    const replaced = await readySpare(spare.pid);
    expect(replaced.fingerprint).not.toBe(spare.fingerprint);
    expect(readFileSync(`/proc/${replaced.pid}/environ`, "utf8")).toMatch(/MAX_TRADE_USD=1500\0/);
  }, 150_000);
});
