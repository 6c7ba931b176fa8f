/**
 * What every command works in: the loaded workspace and the detected environment. Built once per command,
 * passed down explicitly (no globals); later layers add config, secrets, clock, logger and executor.
 */
import { type Detection, detectEnvironment } from "./environment/detect.js";
import type { EnvironmentName } from "./environment/names.js";
import { type LoadWorkspaceOptions, loadWorkspace } from "./workspace/load.js";
import type { Workspace } from "./workspace/types.js";

export interface WorkspaceContext {
  readonly workspace: Workspace;
  readonly detection: Detection;
  readonly environment: EnvironmentName;
}

export interface OpenWorkspaceOptions extends LoadWorkspaceOptions {
  /** `--env NAME` */
  readonly envFlag?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly hostname?: () => string;
  readonly exists?: (path: string) => boolean;
}

/**
 * Loads the workspace and detects the environment.
 * @throws TroError TRO_ERR_WORKSPACE_NOT_FOUND, TRO_ERR_MANIFEST_INVALID, TRO_ERR_ENV_* (see detectEnvironment)
 */
export function openWorkspace(options: OpenWorkspaceOptions = {}): WorkspaceContext {
  const workspace = loadWorkspace(options);
  const detection = detectEnvironment({
    rules: workspace.detect,
    declared: workspace.environments,
    flag: options.envFlag,
    env: options.env,
    cwd: options.cwd,
    workspaceRoot: workspace.root,
    hostname: options.hostname,
    exists: options.exists,
  });
  return { workspace, detection, environment: detection.environment };
}
