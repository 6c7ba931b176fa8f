/** Why: the warm-spare tests share the desk with a spare, an in-process supervisor, and readers of the lease and fds. */
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { Supervisor } from "../../src/supervisor/supervisor.js";
import type { InstanceStatus } from "../../src/supervisor/types.js";
import { freePort, Pids, ROOT, waitFor } from "../supervisor/helpers.js";
import { copyWorkspace } from "./cli.js";

const CLI = join(ROOT, "bin/tradeops.js");
export const SECRET = `spare-control-${process.pid}-${Date.now()}`;
export const pids = new Pids();
const open: Supervisor[] = [];

/** Closes every supervisor `supervise` opened (stopping services and spares) and kills whatever a test started. */
export async function closeAll(): Promise<void> {
  for (const s of open.splice(0)) await s.close({ stopServices: true });
  pids.killAll();
}

/** The desk with argo's start command running this checkout's CLI, and a warm spare. */
export function desk(): string {
  const ws = copyWorkspace();
  const manifest = join(ws, "tradeops.yaml");
  const text = readFileSync(manifest, "utf8")
    .replace("start: tradeops serve argo", `start: node ${CLI} --workspace ${ws} serve argo`)
    .replace("health: { path: /health, detailedPath:", "health: { warmSpare: true, path: /health, detailedPath:");
  expect(text).toContain("warmSpare: true");
  writeFileSync(manifest, text);
  return ws;
}

export async function supervise(ws: string) {
  const stateDir = join(ws, ".tradeops/development/supervisor");
  const env = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    NO_COLOR: "1",
    ARGO_CONTROL_TOKEN: SECRET,
    // the executor lease in a file (the desk's simulated broker needs none); a killed holder's lapses quickly
    TRADEOPS_LEASE_DIR: join(ws, "lease"),
    TRADEOPS_LEASE_TTL_MS: "1500",
  };
  const supervisor = new Supervisor({
    workspaceRoot: ws,
    environment: "development",
    stateDir,
    env,
    stopGraceMs: 5000,
    onChange: (_name, change) => pids.add(change.pid),
  });
  open.push(supervisor);
  await supervisor.open();
  const argo = () => supervisor.status().instances.find((i) => i.name === "argo") as InstanceStatus;
  const port = await freePort();
  await supervisor.start({ project: "argo", port, orders: true }, env);
  await supervisor.waitRunning("argo", 40_000);
  const readySpare = (not?: number) =>
    waitFor(
      "a ready warm spare",
      () => {
        const spare = argo().spare;
        if (spare) pids.add(spare.pid);
        return spare?.state === "ready" && spare.pid !== not ? spare : undefined;
      },
      40_000,
      50,
    );
  return { supervisor, argo, port, stateDir, readySpare };
}

/** The holder named in argo's file lease (undefined before anyone took it). */
export function leaseHolder(ws: string): string | undefined {
  const dir = join(ws, "lease");
  if (!existsSync(dir)) return undefined;
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), "utf8");
    const match = /"holder"\s*:\s*"([^"]+)"/.exec(text);
    if (match) return match[1];
  }
  return undefined;
}

/** What a process has open: files by path, and whether it has any socket. */
export function openFiles(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

/** Every file the supervisor wrote (logs, events, state), as one text. */
export function everythingWritten(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return out.join("\n");
}
