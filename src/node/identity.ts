/**
 * Who a running node is: the workspace it was started for, its environment, project, release, colour, config and
 * pid. `/health` and the control routes carry it, and `halt`, `resume` and `health` compare it with what they were
 * asked about before they act, so that one workspace never halts another's bot that happens to use the port.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import type { Workspace } from "../workspace/types.js";

export interface InstanceIdentity {
  /** stable per workspace checkout: the manifest's name and its source root, hashed (deploys pass it along) */
  readonly workspaceId: string;
  readonly environment: string;
  readonly project: string;
  /** empty outside a deploy */
  readonly release: string;
  readonly color: string;
  readonly configHash: string;
  readonly pid: number;
}

/** `TRADEOPS_WORKSPACE_ID` when a deploy set it (a release runs from a copy), else the hash of name and root. */
export function workspaceIdOf(
  workspace: Pick<Workspace, "root" | "manifest">,
  env: Readonly<Record<string, string | undefined>> = {},
): string {
  if (env.TRADEOPS_WORKSPACE_ID) return env.TRADEOPS_WORKSPACE_ID;
  let root = workspace.root;
  try {
    root = realpathSync(root);
  } catch {
    // a root that cannot be resolved is hashed as written
  }
  const name = (workspace.manifest as { name?: string }).name ?? "";
  return createHash("sha256").update(`${name}\0${root}`).digest("hex").slice(0, 16);
}

export interface IdentityOptions {
  readonly workspace: Pick<Workspace, "root" | "manifest">;
  readonly environment: string;
  readonly project: string;
  readonly configHash: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid?: number;
}

/** The identity of the node this process runs, from the deploy's variables where it set them. */
export function nodeIdentity(o: IdentityOptions): InstanceIdentity {
  return {
    workspaceId: workspaceIdOf(o.workspace, o.env),
    environment: o.environment,
    project: o.project,
    release: o.env.TRADEOPS_RELEASE ?? "",
    color: o.env.TRADEOPS_COLOR ?? "",
    configHash: o.configHash,
    pid: o.pid ?? process.pid,
  };
}

/** What a caller expects; the fields that differ, as `field: theirs ≠ ours` (empty: it is the one). */
export function identityMismatch(
  expected: Pick<InstanceIdentity, "workspaceId" | "environment" | "project"> & { readonly release?: string },
  found: Partial<InstanceIdentity> | undefined,
): string[] {
  if (!found) return ["the service does not say who it is (no instance in /health)"];
  const problems: string[] = [];
  for (const key of ["workspaceId", "environment", "project", "release"] as const) {
    const want = expected[key];
    if (want === undefined || want === "") continue;
    if (found[key] !== want)
      problems.push(`${key} ${JSON.stringify(found[key] ?? null)}, expected ${JSON.stringify(want)}`);
  }
  return problems;
}
