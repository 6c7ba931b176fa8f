import { EXIT, TroError } from "../../errors.js";
import type { HealthLevel, ProbeResult } from "../../health/probe.js";
import { checkHealth } from "../../node/health-check.js";
import { DEFAULT_POLICY } from "../../workspace/schema.js";
import { openFromRun } from "../context.js";
import { portFlag } from "../flags.js";
import { selfCommand } from "../identity.js";
import type { CommandRun, Handler } from "../program.js";

/** The variable holding the control token, sent only for level 3 on remote hosts. */
export const HEALTH_TOKEN_VARIABLE = "TRADEOPS_CONTROL_TOKEN";

/** `tradeops health PROJECT|all [--level N]`: every endpoint in parallel; 0 at 100 % passing, 69 otherwise. */
export const healthCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const which = run.args[0]!;
  const policyLevel = ctx.workspace.policies[ctx.environment]?.healthLevel ?? DEFAULT_POLICY.healthLevel;
  const level = Number(run.opts.level ?? policyLevel) as HealthLevel;
  const token = run.io.env[HEALTH_TOKEN_VARIABLE];
  if (token) run.out.scrubber.add(token, HEALTH_TOKEN_VARIABLE);
  const port = portFlag(run.opts.port);
  if (port !== undefined && which === "all") {
    throw new TroError("TRO_ERR_USAGE", "--port names one instance: give one project, not `all`.", {
      hint: "For example tradeops health argo --port 8000.",
    });
  }
  const { results, skipped } = await checkHealth({
    workspace: ctx.workspace,
    environment: ctx.environment,
    which,
    level,
    env: run.io.env,
    ...(port !== undefined ? { port } : {}),
    ...(token ? { token } : {}),
    tradeops: selfCommand(run),
  });
  const failing = results.flatMap((r) =>
    r.checks.filter((c) => c.status !== "healthy").map((c) => `${r.project} ${c.name} (${c.error_code ?? c.status})`),
  );
  if (run.globals.json) {
    run.out.json({ ok: failing.length === 0, environment: ctx.environment, level, projects: results, skipped });
  } else {
    render(run, results, skipped, ctx.environment, level);
  }
  if (failing.length === 0) return EXIT.ok;
  const total = results.reduce((n, r) => n + r.total, 0);
  // a service that serves no level 2 endpoint is not broken: say how to judge it by what it serves
  const bare = results.find((r) => r.checks.some((c) => c.level === 2 && c.error_code === "NOT_OFFERED"));
  const hint = bare
    ? `${bare.project} serves no level 2 endpoint: point projects.${bare.project}.health.detailedPath at one it serves (its /health, when that is all it has), or ask --level 1 (policies.${ctx.environment}.healthLevel: 1 for deploys).`
    : "Look at the service's log and `tradeops health <project> --level 3`; deploys need 100 % passing.";
  run.out.error(
    `${run.out.colors.red("error:")} ${failing.length} of ${total} health checks did not pass: ${failing.join(", ")}\n` +
      `  → ${hint}`,
  );
  return EXIT.unavailable;
};

function render(
  run: CommandRun,
  results: readonly ProbeResult[],
  skipped: readonly { project: string; reason: string }[],
  environment: string,
  level: HealthLevel,
): void {
  const c = run.out.colors;
  const paint = { healthy: c.green, degraded: c.yellow, unhealthy: c.red };
  run.out.info(c.dim(`${environment}, level ${level}`));
  for (const r of results) {
    const counts = `${r.passing}/${r.total} checks passing`;
    run.out.line(`${c.bold(r.project)}  ${paint[r.status](r.status)}  ${c.dim(`${counts}  ${r.url}`)}`);
    for (const check of r.checks) {
      if (check.status === "healthy") continue;
      run.out.line(
        `  ${c.red("✘")} ${check.name.padEnd(24)} ${paint[check.status](check.status)}  ${check.error_code ?? ""}`,
      );
    }
  }
  for (const s of skipped) run.out.info(c.dim(`${s.project}  skipped: ${s.reason}`));
}
