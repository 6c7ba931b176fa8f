/** PID identity (start times, zombies), the marker scan, and the one-supervisor lock. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireSupervisorLock, readLockHolder } from "../../src/supervisor/lock.js";
import { stateLayout } from "../../src/supervisor/paths.js";
import { findProcessesWithEnv, hasEnv, isSameProcess, processStartTime } from "../../src/supervisor/process-info.js";
import { ensureStateDir } from "../../src/supervisor/store.js";
import { Pids, waitFor } from "./helpers.js";

const pids = new Pids();
afterEach(() => pids.killAll());

describe("process identity", () => {
  it("tells a live process from a dead one and from a reused pid", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      env: { MARKER_TEST: "m-123" },
      stdio: "ignore",
    });
    pids.add(child.pid);
    const pid = child.pid!;
    const start = await waitFor("start time", () => processStartTime(pid));
    expect(isSameProcess(pid, start)).toBe(true);
    expect(isSameProcess(pid, `${start}1`)).toBe(false); // same pid, another process
    expect(hasEnv(pid, "MARKER_TEST", "m-123")).toBe(true);
    expect(findProcessesWithEnv("MARKER_TEST", "m-123")).toEqual([pid]);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(isSameProcess(pid, start)).toBe(false);
    expect(findProcessesWithEnv("MARKER_TEST", "m-123")).toEqual([]);
  });
  it("counts a zombie as dead", async () => {
    // sh starts a child and execs into a sleeper that never reaps it: the child stays a zombie
    const parent = spawn("sh", ["-c", "sh -c 'exit 0' & echo $!; exec sleep 30"], {
      stdio: ["ignore", "pipe", "ignore"],
      detached: true,
    });
    pids.add(parent.pid);
    const [chunk] = await once(parent.stdout!, "data");
    const zombie = Number(String(chunk).trim());
    await waitFor("zombie", () => readFileSync(`/proc/${zombie}/stat`, "utf8").includes(") Z "));
    expect(isSameProcess(zombie)).toBe(false);
  });
});

describe("supervisor lock", () => {
  it("admits one supervisor per state directory and takes over a stale PID file", async () => {
    const layout = stateLayout(mkdtempSync(join(tmpdir(), "tradeops-lock-")));
    ensureStateDir(layout);
    const about = { workspace: "/w", environment: "development", now: new Date() };
    const lock = acquireSupervisorLock(layout, about);
    expect(readLockHolder(layout)).toMatchObject({ pid: process.pid, workspace: "/w" });
    expect(() => acquireSupervisorLock(layout, about)).toThrow(
      expect.objectContaining({ code: "TRO_ERR_SUPERVISOR_BUSY" }),
    );
    lock.release();
    expect(existsSync(layout.pidFile)).toBe(false);
    // a supervisor that died: its PID file names a process that is gone
    const dead = spawn(process.execPath, ["-e", "0"]);
    await once(dead, "exit");
    writeFileSync(layout.pidFile, `${dead.pid}\n`);
    const again = acquireSupervisorLock(layout, about);
    expect(readFileSync(layout.pidFile, "utf8").trim()).toBe(String(process.pid));
    again.release();
  });
});
