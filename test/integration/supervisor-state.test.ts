/**
 * A supervisor state file that lies: written with a checksum and a backup, a corrupt `state.json` (torn, edited)
 * is reported and the backup used; with no usable backup, a running service of ours is adopted by its pid and
 * identity (the marker in its environment) — never stopped, never started a second time.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, expect, it } from "vitest";
import { findProcessesWithEnv } from "../../src/supervisor/process-info.js";
import {
  cliEnv,
  copiesOf,
  freePort,
  isAlive,
  makeWorkspace,
  Pids,
  privateCli,
  runCli,
  serviceCommand,
  waitFor,
} from "../supervisor/helpers.js";

const pids = new Pids();
let stateDirs: string[] = [];
beforeAll(async () => {
  await privateCli();
}, 60_000);
afterEach(() => {
  for (const dir of stateDirs) {
    for (const pid of findProcessesWithEnv("TRADEOPS_STATE_DIR", dir)) pids.add(pid);
    try {
      for (const name of readdirSync(join(dir, "pids")))
        pids.add(Number(readFileSync(join(dir, "pids", name), "utf8")));
    } catch {}
  }
  stateDirs = [];
  pids.killAll();
});

const supervisorsOf = (stateDir: string) =>
  findProcessesWithEnv("TRADEOPS_STATE_DIR", stateDir).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("supervisor\0run"),
  );
const tradeops = async (ws: string, args: string[]) => runCli(["--workspace", ws, ...args], await cliEnv({}));

it("a corrupt state file is reported; the service is adopted from the backup, then by identity", async () => {
  const port = await freePort();
  const ws = makeWorkspace({ web: { start: serviceCommand(), port } });
  const stateDir = join(ws, ".tradeops/development/supervisor");
  stateDirs.push(stateDir);
  expect((await tradeops(ws, ["start", "web", "--wait-healthy", "15"])).code).toBe(0);
  const state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8"));
  expect(state.checksum).toMatch(/^[0-9a-f]{64}$/);
  const pid = state.instances[0].pid as number;
  pids.add(pid);

  for (const damage of ["torn", "no backup"] as const) {
    const [daemon] = supervisorsOf(stateDir);
    process.kill(daemon!, "SIGKILL");
    await waitFor("the supervisor gone", () => !isAlive(daemon!));
    writeFileSync(join(stateDir, "state.json"), '{"version": 1, "instances": [{"na');
    if (damage === "no backup") rmSync(join(stateDir, "state.json.bak"), { force: true });
    const status = JSON.parse((await tradeops(ws, ["status", "--json"])).stdout);
    const web = status.instances.find((i: { name: string }) => i.name === "web");
    expect(web, `${damage}: ${readFileSync(join(stateDir, "supervisor.log"), "utf8")}`).toMatchObject({
      pid,
      adopted: true,
    });
    expect(isAlive(pid)).toBe(true);
    expect(copiesOf(stateDir, "web")).toEqual([pid]);
    const log = readFileSync(join(stateDir, "supervisor.log"), "utf8");
    expect(log).toContain("state.json is corrupt (it is not valid JSON (a torn or edited write))");
    expect(log).toContain(damage === "torn" ? "used its backup" : "adopted pid");
  }
}, 90_000);
