/**
 * A target host for deploy unit tests, without a process, a socket or a target directory: the real records over
 * in-memory files, a recording executor for uploads and release commands, and a runner, front proxy, executor lease
 * and deploy lock that write each effect into one ordered log — with scripted failures.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { targetLayout } from "../../src/deploy/layout.js";
import type { LeaseDriver } from "../../src/deploy/lease-driver.js";
import type { DeployLock, LockOwner } from "../../src/deploy/lock.js";
import type { ProxyControl, ProxyStatus } from "../../src/deploy/proxy/control.js";
import { type TargetState, targetRecords } from "../../src/deploy/records.js";
import type { InstanceInfo, ReleaseRunner } from "../../src/deploy/runner.js";
import type { TargetSession } from "../../src/deploy/session.js";
import type { TargetFiles } from "../../src/deploy/target-files.js";
import { findTarget } from "../../src/deploy/targets.js";
import type { Color, ReleaseRecord, ResolvedTarget } from "../../src/deploy/types.js";
import type { EnvironmentName } from "../../src/environment/names.js";
import { TroError } from "../../src/errors.js";
import { createRecordingExecutor, type RecordingExecutor } from "../../src/exec/recording.js";
import type { ProbeResult } from "../../src/health/probe.js";
import type { Project, Workspace } from "../../src/workspace/types.js";
import { type FakeClock, fakeClock } from "./fake-clock.js";

export { type FakeClock, fakeClock } from "./fake-clock.js";

/** What goes wrong on the host, when. */
export interface HostScript {
  /** releases that never pass health after their start, or whose process exits at once */
  start?: Record<string, "unhealthy" | "exit">;
  /** the front proxy's switch call fails and the route stays */
  switchFails?: boolean;
  /** giving the executor lease to this release fails */
  handoffFailsFor?: string;
  /** public probes (gate 11, a rollback's check) fail from this one on (1 = the first) */
  probeFailsFrom?: number;
  /** another deploy takes the lock over at this heartbeat (1 = the first) */
  lockLostAtBeat?: number;
  /** the target resolves its secrets on the host (`secrets: host`), and the host's `secrets check` answers so */
  hostSecrets?: "resolve" | "missing" | "no-tradeops";
}

export interface RecordingTarget {
  readonly session: TargetSession;
  /** every effect, in order, shared by the targets of one test: `alpine-backend: start green R2` */
  readonly log: string[];
  readonly executor: RecordingExecutor;
  readonly script: HostScript;
  readonly running: Map<Color, InstanceInfo>;
  readState(): Promise<TargetState>;
  readReleases(): Promise<ReleaseRecord[]>;
  history(): Promise<import("../../src/deploy/types.js").DeployRecord[]>;
  /** the release the front proxy routes to */
  routed(): string | undefined;
  leaseHolder(): string | undefined;
  /** seeds a release serving in a colour (and optionally one still running idle) */
  serve(color: Color, release: string, idle?: string): Promise<void>;
}

export interface RecordingTargetOptions {
  readonly project: Project;
  readonly target: ResolvedTarget;
  readonly clock: FakeClock;
  readonly log?: string[];
  readonly script?: HostScript;
  readonly host?: string;
}

/** Builds a recording target. */
export function recordingTarget(o: RecordingTargetOptions): RecordingTarget {
  const log = o.log ?? [];
  const script = o.script ?? {};
  const host = o.host ?? "local";
  const say = (line: string) => log.push(`${o.project.name}: ${line}`);
  const layout = targetLayout(o.target.path);
  const executor = createRecordingExecutor({
    host,
    respond: (command) => {
      const line = command.argv.join(" ");
      // the artifact's checksum on the target: the one of the file uploaded there
      if (line.includes("sha256sum")) {
        const upload = executor.calls.find((c) => c.kind === "upload" && c.remotePath === command.argv.at(-1));
        const bytes = upload ? readFileSync(upload.localPath!) : Buffer.from("");
        return { stdout: `${createHash("sha256").update(bytes).digest("hex")}  ${command.argv.at(-1)}\n` };
      }
      // `tradeops … secrets check PROJECT --json` on the host: each declared secret resolves there, or none does
      if (line.includes(" secrets check ")) {
        say(`secrets check ${script.hostSecrets}`);
        if (script.hostSecrets === "no-tradeops") return { code: 127, stderr: "sh: 1: tradeops: not found\n" };
        return { code: script.hostSecrets === "resolve" ? 0 : 78, stdout: hostSecretsCheck(o, script) };
      }
      return undefined;
    },
  });
  const files = memoryFiles(executor);
  const records = targetRecords(files, layout);
  const running = new Map<Color, InstanceInfo>();
  let route: ProxyStatus["route"] = null;
  let holder: string | undefined;
  let probes = 0;
  const health = (release: string | undefined, level: 1 | 2 | 3): ProbeResult => {
    const ok = release !== undefined && script.start?.[release] !== "unhealthy";
    return probeResult(o.project.name, level, ok);
  };
  const runner: ReleaseRunner = {
    kind: "direct",
    start: async (spec) => {
      say(`start ${spec.color} ${spec.release}`);
      const info = { color: spec.color, release: spec.release, port: spec.port, pid: 1000 + log.length, startedAt: "" };
      if (script.start?.[spec.release] !== "exit") running.set(spec.color, info);
      return info;
    },
    stop: async (color) => {
      if (running.delete(color)) say(`stop ${color}`);
    },
    running: async (color) => running.get(color),
    logTail: async () => "Error: boom",
    health: async (port, level) => health([...running.values()].find((i) => i.port === port)?.release, level),
  };
  const status = (): ProxyStatus =>
    ({ route, guard: null, lastRevert: null, port: o.target.port, state: "running" }) as unknown as ProxyStatus;
  const proxy: ProxyControl = {
    status: async () => (route ? status() : undefined),
    ensure: async () => status(),
    switchTo: async (color, port, release) => {
      if (script.switchFails) throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", "the front proxy did not answer");
      say(`switch ${color} ${release}`);
      const previous = route;
      route = { color, port, release } as ProxyStatus["route"];
      return previous;
    },
    renew: async () => undefined,
    confirm: async (release) => void say(`confirm ${release}`),
    drain: async (port) => {
      say(`drain ${port}`);
      return { drained: true, remaining: 0 };
    },
    restart: async () => status(),
    stop: async () => void say("proxy stop"),
  };
  const lease: LeaseDriver | undefined = o.project.sendsOrders
    ? {
        holder: async () => holder,
        holds: async (release) => holder === release,
        fence: async () => {
          say("fence");
          holder = undefined;
          return 1;
        },
        transfer: async (release) => {
          if (script.handoffFailsFor === release)
            throw new TroError("TRO_ERR_LEASE_UNAVAILABLE", `the lease refused ${release}`);
          say(`lease ${release}`);
          holder = release;
          return 2;
        },
      }
    : undefined;
  let owner: LockOwner | undefined;
  let beats = 0;
  const lock: DeployLock = {
    status: async () => ({ held: Boolean(owner), stale: false, ...(owner ? { owner } : {}) }),
    acquire: async (me) => {
      if (owner) throw new TroError("TRO_ERR_LOCK_HELD", `The deploy lock is held by ${owner.who}.`);
      owner = me;
      say("lock");
      return undefined;
    },
    heartbeat: async (me) => {
      beats++;
      if (script.lockLostAtBeat && beats >= script.lockLostAtBeat && owner?.id === me.id) {
        owner = { ...me, id: "another-deploy", who: "other@elsewhere" };
        say("lock taken over by another deploy");
      }
      return owner?.id === me.id;
    },
    release: async (me) => {
      if (owner?.id !== me.id) return;
      owner = undefined;
      say("unlock");
    },
    breakLock: async () => {
      const was = owner;
      owner = undefined;
      return was;
    },
  };
  const session: TargetSession = {
    project: o.project,
    target: script.hostSecrets ? { ...o.target, secrets: "host" } : o.target,
    host,
    executor,
    clock: o.clock,
    files,
    layout,
    records,
    lock,
    proxy,
    runner,
    tradeops: ["tradeops"],
    ...(lease ? { lease } : {}),
    probePublic: async (level) => {
      probes++;
      const failing = script.probeFailsFrom !== undefined && probes >= script.probeFailsFrom;
      return failing ? probeResult(o.project.name, level, false) : health(route?.release, level);
    },
  };
  return {
    session,
    log,
    executor,
    script,
    running,
    readState: () => records.readState(),
    readReleases: () => records.readReleases(),
    history: () => records.readHistory(),
    routed: () => route?.release,
    leaseHolder: () => holder,
    serve: async (color, release, idle) => {
      const port = o.target.internalPorts[color === "blue" ? 0 : 1];
      running.set(color, { color, release, port, pid: 1, startedAt: "" });
      route = { color, port, release } as ProxyStatus["route"];
      holder = o.project.sendsOrders ? release : undefined;
      const other: Color = color === "blue" ? "green" : "blue";
      const otherPort = o.target.internalPorts[color === "blue" ? 1 : 0];
      if (idle) running.set(other, { color: other, release: idle, port: otherPort, pid: 2, startedAt: "" });
      const state: TargetState = {
        active: color,
        colors: { [color]: { release, port, startedAt: "", orders: true } },
      };
      await records.writeState(state);
      const seeded = [idle, release].filter((r): r is string => Boolean(r));
      await records.writeReleases(seeded.map((id, i) => releaseRecord(id, o.project.name, i)));
    },
  };
}

/** What `secrets check --json` prints on a host of a `secrets: host` target. */
function hostSecretsCheck(o: RecordingTargetOptions, script: HostScript): string {
  const resolved = script.hostSecrets === "resolve";
  const secrets = Object.keys(o.project.secrets).map((name) => ({
    name,
    resolved,
    required: true,
    error: null,
    attempts: [
      {
        source: `env:${name}`,
        outcome: resolved ? "value" : "missing",
        reason: resolved ? undefined : `${name} is not set`,
      },
    ],
  }));
  return JSON.stringify({ ok: resolved, projects: [{ project: o.project.name, secrets }] });
}

/** A workspace's targets in one environment as recording targets, sharing one log and one clock; `reset` per test. */
export function recordingDesk(workspace: Workspace, environment: EnvironmentName) {
  const desk = {
    clock: fakeClock(),
    log: [] as string[],
    reset() {
      desk.clock = fakeClock();
      desk.log.length = 0;
    },
    /** `adapt` changes the project as the test needs (no install command, say) */
    host(project: string, script: HostScript = {}, adapt: (p: Project) => Project = (p) => p): RecordingTarget {
      return recordingTarget({
        project: adapt(workspace.projects[project]!),
        target: findTarget(workspace, environment, project)!,
        clock: desk.clock,
        log: desk.log,
        script,
      });
    },
  };
  return desk;
}

/** A release as `releases.json` keeps it; known-good. */
export function releaseRecord(id: string, project: string, n = 0, status: ReleaseRecord["status"] = "active") {
  return {
    id,
    project,
    commit: `c0ffee${n}`,
    dirty: false,
    artifactHash: `hash-${id}`,
    files: 1,
    createdAt: "2026-11-17T10:00:00.000Z",
    deployId: `deploy-${id}`,
    status,
    goodAt: `2026-11-17T10:0${n}:00.000Z`,
  } satisfies ReleaseRecord;
}

/** A tarball on this machine to upload, and its manifest. */
export function fakeArtifact(name: string) {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-recording-"));
  const tarball = join(dir, `${name}.tar.gz`);
  writeFileSync(tarball, `artifact of ${name}`);
  const hash = createHash("sha256").update(`artifact of ${name}`).digest("hex");
  return { tarball, manifest: { project: name, hash, files: [{ path: "server.mjs" }], ignored: 0 } as never };
}

function probeResult(project: string, level: 1 | 2 | 3, ok: boolean): ProbeResult {
  return {
    project,
    url: "http://127.0.0.1",
    level,
    status: ok ? "healthy" : "unhealthy",
    passing: ok ? 1 : 0,
    total: 1,
    checks: [{ name: "ready", level: 1, status: ok ? "healthy" : "unhealthy", error_code: ok ? null : "http_503" }],
  } as ProbeResult;
}

/** Files in memory, with the semantics the records need. */
function memoryFiles(executor: RecordingExecutor): TargetFiles {
  const store = new Map<string, string>();
  const files: TargetFiles = {
    executor,
    read: async (path) => store.get(path),
    readJson: async <T>(path: string) => {
      const text = store.get(path);
      return text === undefined || !text.trim() ? undefined : (JSON.parse(text) as T);
    },
    write: async (path, text) => void store.set(path, text),
    writeJson: async (path, value) => void store.set(path, `${JSON.stringify(value, null, 2)}\n`),
    append: async (path, line) => void store.set(path, `${store.get(path) ?? ""}${line}\n`),
    mkdirs: async () => undefined,
    remove: async (...paths) => {
      for (const p of paths) store.delete(p);
    },
  };
  return files;
}
