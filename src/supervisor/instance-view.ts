/** An instance as `status` shows it and as the state file records it. */
import { iso } from "./clock.js";
import type { Instance } from "./instance.js";
import { backoffDelayMs } from "./policy.js";
import type { InstanceRecord } from "./store.js";
import type { InstanceStatus, RestartPolicyStatus } from "./types.js";

/** The status row of one instance at `now`. */
export function instanceStatus(instance: Instance, now: number): InstanceStatus {
  const up = instance.pid !== undefined && instance.startedAt !== undefined;
  return {
    name: instance.name,
    project: instance.request.project,
    color: instance.request.color ?? null,
    release: instance.request.release ?? null,
    pid: instance.pid ?? null,
    port: instance.launch?.port ?? instance.request.port ?? null,
    orders: instance.request.orders,
    state: instance.state,
    desired: instance.desired,
    startedAt: up ? iso(instance.startedAt!) : null,
    uptimeSeconds: up ? Math.max(0, Math.round((now - instance.startedAt!) / 100) / 10) : null,
    restarts: instance.restarts,
    streak: instance.streak.streak,
    lastExit: instance.lastExit ?? null,
    lastFailure: instance.lastFailure ?? null,
    nextStartAt: instance.state === "backoff" && instance.nextStartAt ? iso(instance.nextStartAt) : null,
    restartPolicy: restartPolicy(instance),
    adopted: instance.handle?.adopted ?? false,
    health: { level1: { ...instance.health.level1 }, level2: { ...instance.health.level2 } },
    logFile: instance.logFile,
    errLogFile: instance.errLogFile,
    dir: instance.launch?.dir ?? instance.request.dir ?? null,
    command: instance.launch?.command ?? null,
    recent: [...instance.recent],
    spare: instance.spare.status,
  };
}

/** What the state file keeps of an instance, so that a restarted supervisor can adopt or resume it. */
export function instanceRecord(instance: Instance): InstanceRecord {
  const handle = instance.handle;
  return {
    name: instance.name,
    request: instance.request,
    desired: instance.desired,
    state: instance.state,
    ...(handle ? { pid: handle.pid, startTime: handle.startTime } : {}),
    ...(instance.startedAt !== undefined ? { startedAt: iso(instance.startedAt) } : {}),
    ...(instance.runningSince !== undefined ? { runningSince: iso(instance.runningSince) } : {}),
    restarts: instance.restarts,
    streak: instance.streak.streak,
    backoffStep: instance.streak.backoffStep,
    ...(instance.lastExit ? { lastExit: instance.lastExit } : {}),
    ...(instance.lastFailure ? { lastFailure: instance.lastFailure } : {}),
  };
}

function restartPolicy(instance: Instance): RestartPolicyStatus {
  const settings = instance.restartSettings;
  const { backoffStep } = instance.streak;
  let next: number | null;
  if (instance.state === "backoff") next = (instance.backoffDelayMs ?? 0) / 1000;
  else next = backoffStep >= settings.maxRestarts ? null : backoffDelayMs(settings, backoffStep) / 1000;
  return { backoffSeconds: [...settings.backoffSeconds], maxRestarts: settings.maxRestarts, nextDelaySeconds: next };
}
