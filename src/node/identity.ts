/**
 * Who a running node is: the workspace it was started for, its environment, project, release, colour, config and
 * pid. `/health` and the control routes carry it, and `halt`, `resume` and `health` compare it with what they were
 * asked about before they act, so that one workspace never halts another's bot that happens to use the port.
 */
import { workspaceIdOf } from "../workspace/identity.js";
import type { Workspace } from "../workspace/types.js";

export { workspaceIdOf };

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
