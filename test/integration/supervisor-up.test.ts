/**
 * `tradeops up` on a real terminal (a pseudo-terminal from `script`): coloured, prefixed lines from every
 * service, `status` from another terminal while it runs, one supervisor only, and a real Ctrl-C stopping
 * everything gracefully.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, beforeAll, expect, it } from "vitest";
import { findProcessesWithEnv } from "../../src/supervisor/process-info.js";
import {
  cliEnv,
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
const ESC = String.fromCharCode(27);
let terminal: ChildProcess | undefined;

beforeAll(async () => {
  await privateCli();
}, 60_000);

// marks this run's processes: another checkout running the same test at the same time keeps its own
const RUN_MARK = `${process.pid}-${Date.now()}`;

afterEach(() => {
  if (terminal?.pid) pids.add(terminal.pid);
  for (const pid of findProcessesWithEnv("TRADEOPS_TEST_UP", RUN_MARK)) pids.add(pid);
  pids.killAll();
});

it("prefixes and colours each service's lines, serves status meanwhile, and stops everything on Ctrl-C", async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  const ws = makeWorkspace({ web: { start: serviceCommand(), port: p1 }, api: { start: serviceCommand(), port: p2 } });
  const env = await cliEnv({ TRADEOPS_TEST_UP: RUN_MARK, TERM: "xterm" });
  delete env.NO_COLOR;
  const command = `exec ${process.execPath} ${await privateCli()} --workspace ${ws} up web api`;
  terminal = spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  terminal.stdout!.on("data", (chunk) => (screen += chunk));
  const exited = once(terminal, "exit");
  const plain = () =>
    screen
      .split(ESC)
      .map((part, i) => (i ? part.replace(/^\[[0-9;]*m/, "") : part))
      .join("");
  await waitFor(
    "both services listening",
    () => plain().includes(`web | listening on ${p1}`) && plain().includes(`api | listening on ${p2}`),
    15_000,
  );
  await waitFor("both running", () => (plain().match(/\| ▸ running/g) ?? []).length >= 2, 10_000);
  // colours: each prefix in its own colour
  expect(screen).toContain(`${ESC}[36mweb${ESC}[39m | listening`);
  expect(screen).toContain(`${ESC}[35mapi${ESC}[39m | listening`);

  // another terminal: status works through the same (foreground) supervisor; a second `up` is refused
  // (asked until both are running: on a loaded machine the supervisor's own health probe may come after the lines)
  let states: string[] = [];
  let instances: { name: string; state: string; pid: number }[] = [];
  await waitFor(
    "status shows both running",
    async () => {
      const status = await runCli(["--workspace", ws, "status", "--json"], await cliEnv());
      instances = JSON.parse(status.stdout).instances;
      states = instances.map((i) => `${i.name}:${i.state}`);
      return states.join() === "api:running,web:running";
    },
    15_000,
  );
  expect(states).toEqual(["api:running", "web:running"]);
  const second = await runCli(["--workspace", ws, "up", "web"], await cliEnv());
  expect(second.code).toBe(75);
  expect(second.stderr).toContain("A supervisor (pid");

  terminal.stdin!.write("\u0003"); // Ctrl-C
  const [code] = (await Promise.race([
    exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no exit: ${plain()}`)), 15_000)),
  ])) as [number];
  expect(code, plain()).toBe(0);
  expect(plain()).toContain("stopping (Ctrl-C again to force)");
  expect(plain()).toContain("web | SIGTERM: bye");
  for (const i of instances) expect(isAlive(i.pid)).toBe(false);
  // nothing of this run is left (another test file's "web" may run at the same time)
  expect(findProcessesWithEnv("TRADEOPS_TEST_UP", RUN_MARK)).toEqual([]);
  // and the supervisor's socket is gone with it
  const after = await runCli(["--workspace", ws, "status"], await cliEnv());
  expect(after.stdout).toContain("No supervisor runs for svtest (development)");
});
