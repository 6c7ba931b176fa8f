/**
 * A workspace's id: stable for one checkout (the manifest's name and its real root, hashed), and handed to the
 * releases a deploy starts (`TRADEOPS_WORKSPACE_ID`), which run from copies. Instances carry it so that commands
 * from one checkout never act on another checkout's instance.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import type { Workspace } from "./types.js";

export const WORKSPACE_ID_VARIABLE = "TRADEOPS_WORKSPACE_ID";

/** `TRADEOPS_WORKSPACE_ID` when a deploy set it, else the hash of the manifest's name and the workspace root. */
export function workspaceIdOf(
  workspace: Pick<Workspace, "root" | "manifest">,
  env: Readonly<Record<string, string | undefined>> = {},
): string {
  if (env[WORKSPACE_ID_VARIABLE]) return env[WORKSPACE_ID_VARIABLE];
  let root = workspace.root;
  try {
    root = realpathSync(root);
  } catch {
    // a root that cannot be resolved is hashed as written
  }
  const name = (workspace.manifest as { name?: string }).name ?? "";
  return createHash("sha256").update(`${name}\0${root}`).digest("hex").slice(0, 16);
}
