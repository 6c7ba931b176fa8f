/**
 * Which declared secrets a project's process needs in an environment. A broker key is needed only where the
 * project trades through the broker: a tradeops strategy whose environment backtests or replays history runs
 * the simulated broker, so development works without credentials. This mirrors the venue decision of the
 * runtime's run plan (runtime/plan.ts); a test keeps the two in step.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { Project, Workspace } from "../workspace/types.js";

/** `data.source` values that replay history rather than reading a live feed. */
const HISTORICAL_SOURCE = /^(sample:|csv:|archive(:|#|$))/;

/** True when a `data.source` text names historical bars (sample, CSV file, bar archive). */
export function isHistoricalSourceText(source: string): boolean {
  return HISTORICAL_SOURCE.test(source.trim());
}

/**
 * Secrets declared for the environment that the project's own process does not use there, each with why.
 * Only account credentials can be unneeded; anything else a project declares is needed (or `optional`).
 */
export function unneededSecrets(
  workspace: Workspace,
  project: Project,
  environment: EnvironmentName,
  config: unknown,
): Map<string, string> {
  const out = new Map<string, string>();
  const binding = project.accounts[environment];
  if (!binding?.credentials) return out;
  const why = simulatedBecause(workspace, project, environment, binding.broker, config);
  if (why) for (const name of [binding.credentials.keyId, binding.credentials.secretKey]) out.set(name, why);
  return out;
}

function simulatedBecause(
  workspace: Workspace,
  project: Project,
  environment: EnvironmentName,
  broker: string,
  config: unknown,
): string | undefined {
  if (broker === "simulated") return `the account bound in ${environment} is the simulated broker`;
  // other kinds run their own code, which may call the broker itself
  if (project.kind !== "strategy") return undefined;
  const mode = workspace.settings[environment]?.executionMode;
  if (mode === "backtest") return `${environment} runs backtests (executionMode: backtest) on the simulated broker`;
  const source = (config as { data?: { source?: unknown } } | undefined)?.data?.source;
  if (typeof source === "string" && isHistoricalSourceText(source))
    return `${environment} replays ${source} on the simulated broker; needed once data.source is a live feed`;
  return undefined;
}
