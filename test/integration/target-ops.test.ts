/**
 * `tradeops target status|logs|stop|start|remove|proxy` against real releases: the example desk deployed to its local
 * staging target, then to a real OpenSSH server on loopback. Stop leaves nothing answering, start brings the active
 * release back behind the proxy, remove leaves no process and no listening port, and says what it removed.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, deskWithSshTarget } from "../helpers/deploy-desk.js";
import type { Sshd } from "../helpers/sshd.js";

interface StatusJson {
  targets: {
    host: string;
    active: string | null;
    runner: string;
    proxy: { running: boolean; pid: number | null; routeTo: string | null };
    instances: {
      color: string;
      active: boolean;
      release: string;
      running: boolean;
      pid: number | null;
      health: string;
      uptimeSeconds: number | null;
    }[];
    stopped: { who: string } | null;
  }[];
}

/** Whether something accepts connections on a loopback port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Whether a pid runs; a zombie (an exited process nobody reaped yet) does not count. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
};

/** Deploys, then walks status → logs → proxy → stop → start → remove, checking each against real processes. */
async function operate(desk: DeployDesk, host: string, env: Record<string, string>, runner: string) {
  const run = (...args: string[]) => cli(args, { cwd: desk.root, env });
  const deployed = await run("deploy", "alpine-backend", "to", "staging");
  expect(deployed.code, deployed.stderr).toBe(0);
  expect(`${deployed.stdout}${deployed.stderr}`).toContain(`releases run under the ${runner} runner here`);

  const text = await run("target", "status", "alpine-backend", "staging");
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain(`alpine-backend in staging on ${host}`);
  expect(text.stdout, text.stdout).toMatch(/blue\*\s+\d{8}T\d{6}Z-[0-9a-f]{7}\s+\d+\s+\d+\s+healthy 1\/1\s+\d+s/);
  const status = JSON.parse((await run("target", "status", "alpine-backend", "--env", "staging", "--json")).stdout);
  const [view] = (status as StatusJson).targets;
  expect(view!.host).toBe(host);
  expect(view!.active).toBe("blue");
  expect(view!.runner).toBe(runner);
  expect(view!.proxy).toMatchObject({ running: true, routeTo: "blue" });
  const blue = view!.instances.find((i) => i.color === "blue")!;
  expect(blue).toMatchObject({ active: true, running: true, health: "healthy" });
  expect(alive(blue.pid!)).toBe(true);

  // the same instances in `tradeops status --env` and in `tradeops releases`
  const overview = await run("status", "--env", "staging");
  expect(overview.code, overview.stderr).toBe(0);
  expect(overview.stdout).toContain(`alpine-backend in staging on ${host}`);
  expect(overview.stdout).toMatch(new RegExp(`blue\\*\\s+${blue.release}\\s+${blue.pid}\\s`));
  const releases = await run("releases", "alpine-backend", "staging");
  expect(releases.stdout).toContain(`blue (active) ${blue.release} running pid ${blue.pid}, healthy 1/1, up `);

  const logs = await run("target", "logs", "alpine-backend", "staging", "--lines", "5");
  expect(logs.code, logs.stderr).toBe(0);
  expect(logs.stdout).toContain(`── blue ${blue.release} on ${host}`);
  expect(logs.stdout).toContain('"event":"listening"');
  const proxy = await run("target", "proxy", "alpine-backend", "staging");
  expect(proxy.stdout).toContain(`routes to blue :${desk.internal[0]} (${blue.release}`);

  const stop = await run("target", "stop", "alpine-backend", "staging");
  expect(stop.code, stop.stderr).toBe(0);
  expect(stop.stdout).toContain(`stopped blue ${blue.release} (pid ${blue.pid}) on ${host}`);
  expect(alive(blue.pid!)).toBe(false);
  expect(await listening(desk.port)).toBe(false);
  expect(await listening(desk.internal[0])).toBe(false);
  const stopped = JSON.parse((await run("target", "status", "alpine-backend", "staging", "--json")).stdout);
  expect((stopped as StatusJson).targets[0]!.stopped?.who).toBe("tester@test-host");
  expect((stopped as StatusJson).targets[0]!.instances[0]).toMatchObject({ running: false, health: "down" });

  const start = await run("target", "start", "alpine-backend", "staging");
  expect(start.code, start.stderr).toBe(0);
  expect(start.stdout).toContain(`started blue ${blue.release}`);
  const version = await fetch(`http://127.0.0.1:${desk.port}/version`).then((r) => r.json());
  expect(version).toMatchObject({ version: "v1" });
  const again = JSON.parse((await run("target", "status", "alpine-backend", "staging", "--json")).stdout) as StatusJson;
  expect(again.targets[0]!.stopped).toBeNull();
  const restarted = again.targets[0]!.instances[0]!;
  expect(restarted).toMatchObject({ running: true, health: "healthy", release: blue.release });

  const refused = await run("target", "remove", "alpine-backend", "staging");
  expect(refused.code).toBe(64);
  expect(refused.stderr).toContain("needs --yes");
  expect(await listening(desk.port)).toBe(true);
  const proxyPid = again.targets[0]!.proxy.pid!;
  const removed = await run("target", "remove", "alpine-backend", "staging", "--yes");
  expect(removed.code, removed.stderr).toBe(0);
  expect(removed.stdout).toContain(`stopped blue ${blue.release} (pid ${restarted.pid}) on ${host}`);
  expect(removed.stdout).toMatch(/removed from .*: releases, .*shared\/state\.json/);
  expect(removed.stdout).toContain("kept: shared/history.jsonl");
  for (const port of [desk.port, ...desk.internal]) expect(await listening(port)).toBe(false);
  for (const pid of [restarted.pid!, proxyPid]) expect(alive(pid)).toBe(false);
  const after = JSON.parse((await run("target", "status", "alpine-backend", "staging", "--json")).stdout) as StatusJson;
  expect(after.targets[0]!.instances).toEqual([]);
  const history = JSON.parse((await run("history", "alpine-backend", "staging", "--json")).stdout);
  expect(history.records.map((r: { kind: string; who: string }) => `${r.kind} by ${r.who}`)).toEqual([
    "remove by tester@test-host",
    "start by tester@test-host",
    "stop by tester@test-host",
    "deploy by tester@test-host",
  ]);
}

describe("tradeops target on a local target", () => {
  let desk: DeployDesk;
  beforeAll(async () => {
    desk = await createDeployDesk();
  }, 30_000);
  afterAll(async () => {
    await desk?.cleanup();
  });

  it("shows, stops, starts and removes a deployed release; the deployer comes from git with USER unset", async () => {
    const { USER: _, ...env } = desk.env;
    // a first deploy runs the release supervised
    await operate(desk, "local", env, "supervisor");
    // a deploy, a stop, a start and a remove measured 9 s at a load average of 3 and 14 s at 10; 120 s is ≈ 8×
  }, 120_000);
});

describe("tradeops target on an SSH target", () => {
  const target = deskWithSshTarget();
  let desk: DeployDesk;
  let sshd: Sshd;
  beforeAll(() => {
    ({ desk, sshd } = target());
  });

  it("shows, stops, starts and removes a release on the host", async () => {
    // no tradeops on the host's PATH: the direct runner, recorded and said
    await operate(desk, sshd.host, desk.env, "direct");
    // measured 10 s at a load average of 3 and 42 s at 10 (each command a round trip over SSH); 120 s is ≈ 3× the worst
  }, 120_000);
});
