/** How a client starts the background supervisor: `node <tradeops> --workspace W --env E supervisor run`. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TroError } from "../errors.js";
import { packageRoot } from "../paths.js";
import type { DaemonLaunch } from "./client.js";
import type { BaseEnv } from "./instance-context.js";

/**
 * The script that runs tradeops: TRADEOPS_SUPERVISOR_ENTRY, else this package's bin/tradeops.js.
 * @throws TroError TRO_ERR_SUPERVISOR_UNAVAILABLE when neither can be found
 */
export function tradeopsEntry(env: BaseEnv, from = fileURLToPath(import.meta.url)): string {
  if (env.TRADEOPS_SUPERVISOR_ENTRY) return env.TRADEOPS_SUPERVISOR_ENTRY;
  const root = packageRoot(from);
  if (!root) {
    throw new TroError(
      "TRO_ERR_SUPERVISOR_UNAVAILABLE",
      "Cannot find tradeops's bin/tradeops.js to start the supervisor.",
      {
        hint: "Set TRADEOPS_SUPERVISOR_ENTRY to the tradeops script.",
      },
    );
  }
  return join(root, "bin", "tradeops.js");
}

/** The launch for a workspace and environment, with `env` as the supervisor's (and its services') base environment. */
export function supervisorLaunch(options: {
  readonly workspaceRoot: string;
  readonly environment: string;
  readonly env: BaseEnv;
}): DaemonLaunch {
  return {
    argv: [
      process.execPath,
      tradeopsEntry(options.env),
      "--workspace",
      options.workspaceRoot,
      "--env",
      options.environment,
      "supervisor",
      "run",
    ],
    env: options.env,
    cwd: options.workspaceRoot,
  };
}
