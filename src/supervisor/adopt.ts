/**
 * What a supervisor does when it starts where another one left off (crashed, killed, rebooted): a recorded
 * process that is still alive (same pid and start time, or the same marker in its environment) is adopted,
 * never started a second time; one that should run but is gone is started again; a leftover nobody wants
 * any more is stopped.
 */
import { SUPERVISOR_MARKER, supervisorMarker } from "./command.js";
import type { Instance } from "./instance.js";
import { hasEnv } from "./process-info.js";
import { type ProcessHandle, type Spawner, terminate } from "./spawn.js";
import { type InstanceRecord, loadState, readPidFiles } from "./store.js";
import type { Supervisor } from "./supervisor.js";
import type { Color, InstanceRequest } from "./types.js";

/** Adopts, resumes or cleans up everything the state directory records. */
export async function adoptRecorded(
  supervisor: Supervisor,
  register: (request: InstanceRequest) => Instance,
  spawner: Spawner,
): Promise<void> {
  const layout = supervisor.layout;
  const pidFiles = readPidFiles(layout);
  const pending: Promise<unknown>[] = [];
  const known = new Set<string>();
  const marked = (pid: number, name: string) => hasEnv(pid, SUPERVISOR_MARKER, supervisorMarker(layout.dir, name));
  const find = (record: InstanceRecord): ProcessHandle | undefined => {
    const fromState = record.pid ? spawner.adopt(record.pid, record.startTime) : undefined;
    if (fromState) return fromState;
    const fromFile = pidFiles.get(record.name);
    return fromFile && marked(fromFile, record.name) ? spawner.adopt(fromFile, undefined) : undefined;
  };
  const loaded = loadState(layout);
  if (loaded.problem) supervisor.options.onNotice?.(`state: ${loaded.problem}`);
  for (const record of loaded.state?.instances ?? []) {
    known.add(record.name);
    const instance = register(record.request);
    const handle = find(record);
    if (!handle) {
      pending.push(instance.resume(record).catch(() => undefined));
      continue;
    }
    instance.adopt(record, handle);
    supervisor.options.onNotice?.(`${record.name}: adopted pid ${handle.pid}`);
    if (record.desired !== "running") pending.push(instance.stop(supervisor.stopGraceMs).catch(() => undefined));
  }
  for (const [name, pid] of pidFiles) {
    if (known.has(name) || !marked(pid, name)) continue;
    const handle = spawner.adopt(pid, undefined);
    if (!handle) continue;
    if (loaded.problem) {
      // the record was lost, not the service: a process of ours by pid and identity (the marker in its
      // environment) is adopted as running, never stopped or started a second time
      const [project, color] = name.split("@") as [string, Color | undefined];
      const request: InstanceRequest = { project, color, orders: !hasEnv(pid, "TRADEOPS_ORDERS", "off") };
      const record: InstanceRecord = {
        name,
        request,
        desired: "running",
        state: "running",
        pid,
        restarts: 0,
        streak: 0,
        backoffStep: 0,
      };
      known.add(name);
      register(request).adopt(record, handle);
      supervisor.options.onNotice?.(`${name}: adopted pid ${pid} by its identity (its record was lost)`);
      continue;
    }
    supervisor.options.onNotice?.(`${name}: stopping orphan pid ${pid} (no record of it)`);
    pending.push(terminate(handle, supervisor.stopGraceMs));
  }
  await Promise.all(pending);
}
