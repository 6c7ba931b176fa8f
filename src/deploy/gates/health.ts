/** Gates 6 and 9: the environments the policy names are healthy, and the target is healthy before we touch it. */
import { policyOf } from "../policy.js";
import { describeProbe, fail, type GateContext, type GateVerdict, isFullyHealthy, pass, skip } from "./context.js";

/** Gate 6: every environment in `requireHealthy` runs each deployed project at 100% of its own policy's level. */
export async function requiredEnvironmentsGate(ctx: GateContext): Promise<GateVerdict> {
  const required = ctx.policy.requireHealthy;
  if (!required.length) return skip(`the ${ctx.environment} policy names no environment that must be healthy first`);
  const problems: string[] = [];
  const checked: string[] = [];
  for (const environment of required) {
    const level = policyOf(ctx.workspace, environment).healthLevel;
    for (const project of ctx.deployed) {
      if (!ctx.workspace.targets[environment]?.[project]) {
        problems.push(`${project} has no ${environment} target, so ${environment} cannot vouch for it`);
        continue;
      }
      const results = await ctx.probeEnvironment(environment, project, level);
      for (const result of results) {
        if (isFullyHealthy(result))
          checked.push(`${project} in ${environment} (level ${level}, ${result.passing}/${result.total})`);
        else problems.push(...describeProbe(result).map((d) => `${environment}: ${d}`));
      }
    }
  }
  if (problems.length)
    return fail(`${required.join(", ")} ${required.length === 1 ? "is" : "are"} not healthy`, problems);
  return pass(`${checked.join(", ")} healthy`);
}

/** Gate 9: what the target serves now is healthy at the policy's level (a first deploy has nothing to check). */
export async function targetHealthyGate(ctx: GateContext): Promise<GateVerdict> {
  const level = ctx.policy.healthLevel;
  const healthy: string[] = [];
  const empty: string[] = [];
  const problems: string[] = [];
  for (const project of ctx.deployed) {
    const result = await ctx.probeTarget(project, level);
    if (!result) empty.push(project);
    else if (isFullyHealthy(result)) healthy.push(`${project} (level ${level}, ${result.passing}/${result.total})`);
    else problems.push(...describeProbe(result));
  }
  if (problems.length) return fail(`the ${ctx.environment} target is not healthy before the deploy`, problems);
  const first = empty.length ? `nothing deployed yet for ${empty.join(", ")}` : "";
  return pass([healthy.length ? `${healthy.join(", ")} healthy` : "", first].filter(Boolean).join("; "));
}
