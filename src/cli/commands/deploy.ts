/** `tradeops deploy`: flags in, one `deploy()` call, a live task list (TTY) or plain lines out. */
import { deploy } from "../../deploy/deploy.js";
import type { DeployPlan } from "../../deploy/plan.js";
import type { EnvironmentName } from "../../environment/names.js";
import { canonicalEnvironment } from "../../environment/names.js";
import { EXIT, TroError } from "../../errors.js";
import type { Workspace } from "../../workspace/types.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";
import { createProgress } from "./gates.js";

export const deployCommand: Handler = async (run) => {
  const { workspace } = openFromRun(run);
  const which = run.args[0]!;
  const environment = targetEnvironment(run, workspace);
  const reason = run.opts.reason as string | undefined;
  if (run.opts.emergency && !reason?.trim()) {
    throw new TroError("TRO_ERR_USAGE", "--emergency needs --reason TEXT saying what the emergency is.", {
      hint: 'e.g. --emergency --reason "stop-loss bug losing money"; it is recorded with the deploy.',
    });
  }
  const progress = createProgress(run);
  const abort = interruptible();
  try {
    const result = await deploy({
      workspace,
      environment,
      which,
      confirm: run.opts.confirm as string | undefined,
      emergency: run.opts.emergency ? reason : undefined,
      skipGates: ((run.opts.skipGate as string[] | undefined) ?? []).map(Number),
      skipReason: reason,
      allowDirty: Boolean(run.opts.allowDirty),
      since: run.opts.since as string | undefined,
      dryRun: Boolean(run.opts.dryRun),
      env: run.io.env,
      who: whoAmI(run),
      hostname: hostnameOf(run),
      command: `deploy ${which} to ${environment}`,
      startTimeoutMs: seconds(run.opts.startTimeout, "--start-timeout") * 1000,
      runner: run.opts.runner as "direct" | "supervisor",
      tradeops: selfCommand(run),
      onEvent: progress.event,
      onPlan: (plan) => {
        if (run.opts.dryRun && !run.globals.json) printPlan(run, plan);
        progress.plan(plan);
      },
      scrub: (value, label) => run.out.scrubber.add(value, label),
      signal: abort.signal,
      ask: run.io.stdout.isTTY && !run.globals.json ? askPhrase : undefined,
    });
    await progress.done();
    if (run.globals.json) {
      run.out.json({ ok: !result.plan.refusal && !result.gates.some((g) => g.status === "fail"), ...result });
    } else if (result.outcome === "nothing") {
      run.out.line("nothing to deploy: no project changed since its last deploy");
    } else if (result.outcome === "succeeded") {
      for (const r of result.records) {
        run.out.line(
          `${run.out.colors.green("deployed")} ${r.project} ${r.release} to ${r.environment} on ${r.host}${r.orderGapMs !== undefined ? `, order gap ${r.orderGapMs} ms` : ""}`,
        );
      }
    } else if (result.outcome === "dry-run") {
      const failed = result.gates.filter((g) => g.status === "fail").length;
      run.out.line(
        `dry run: nothing was changed${failed ? `; ${failed} gate${failed === 1 ? "" : "s"} would fail` : ""}`,
      );
    }
    if (result.plan.refusal) {
      run.out.error(
        `${run.out.colors.red("refused:")} ${result.plan.refusal.message}\n  → ${result.plan.refusal.hint}`,
      );
      return EXIT.refused;
    }
    return result.gates.some((g) => g.status === "fail") ? EXIT.failed : EXIT.ok;
  } finally {
    abort.dispose();
    await progress.done();
  }
};

/** The environment from `--to ENV`, or the words after the project (`to production`, `production`). */
export function targetEnvironment(run: CommandRun, workspace: Workspace): EnvironmentName {
  const words = [...(run.args.slice(1) as string[])];
  if (words[0] === "to") words.shift();
  const flag = run.opts.to as string | undefined;
  const raw = flag ?? words[0] ?? run.globals.env;
  if (!raw || (flag && words.length) || words.length > 1) {
    throw new TroError(
      "TRO_ERR_USAGE",
      raw
        ? `Name the environment once (got ${[flag, ...words].filter(Boolean).join(", ")}).`
        : "Name the environment to deploy to.",
      {
        hint: "e.g. `tradeops deploy argo to production` or `tradeops deploy argo --to production`.",
      },
    );
  }
  return resolveEnvironment(raw, workspace);
}

/**
 * A canonical environment the workspace declares.
 * @throws TroError TRO_ERR_ENV_UNKNOWN, TRO_ERR_ENV_UNDECLARED
 */
export function resolveEnvironment(raw: string, workspace: Workspace): EnvironmentName {
  const name = canonicalEnvironment(raw, workspace.detect.aliases);
  if (!name) {
    throw new TroError("TRO_ERR_ENV_UNKNOWN", `${raw} is not an environment.`, {
      hint: `Use one of ${workspace.environments.join(", ")} (or an alias such as prod, stage).`,
    });
  }
  if (!workspace.environments.includes(name)) {
    throw new TroError("TRO_ERR_ENV_UNDECLARED", `${workspace.name} does not declare the ${name} environment.`, {
      hint: `Declare environments.${name} in tradeops.yaml.`,
    });
  }
  return name;
}

/** How this very tradeops is run again (for the supervisor runner on local targets); the supervisor's override wins. */
export function selfCommand(run: CommandRun): string[] | undefined {
  const entry = run.io.env.TRADEOPS_SUPERVISOR_ENTRY || process.argv[1];
  return entry && /tradeops(\.js)?$/.test(entry) ? [process.execPath, entry] : undefined;
}

/** `user@host` for the records; `TRADEOPS_DEPLOYER` names a CI job or a person explicitly. */
export function whoAmI(run: CommandRun): string {
  return run.io.env.TRADEOPS_DEPLOYER || `${run.io.env.USER || run.io.env.LOGNAME || "unknown"}@${hostnameOf(run)}`;
}

export function hostnameOf(run: CommandRun): string {
  return run.io.hostname?.() ?? "localhost";
}

/** A positive number of seconds from a flag. */
export function seconds(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new TroError("TRO_ERR_USAGE", `${flag} must be a positive number of seconds (got ${String(value)}).`, {
      hint: `e.g. ${flag} 60`,
    });
  }
  return n;
}

/** Ctrl-C during a deploy rolls back cleanly instead of leaving the target half-done. */
export function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

async function askPhrase(phrase: string): Promise<string | undefined> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(`Type "${phrase}" to deploy: `);
  } finally {
    rl.close();
  }
}

function printPlan(run: CommandRun, plan: DeployPlan): void {
  const c = run.out.colors;
  run.out.line(
    `${c.bold(`plan ${plan.id}`)}: deploy ${plan.requested} to ${plan.environment} at ${plan.head.slice(0, 7)}`,
  );
  for (const d of plan.deploys) {
    const now = d.active ? `${d.active.release} on ${d.active.color}` : "nothing yet";
    run.out.line(
      `  ${c.bold(d.project)} (${d.why}): ${d.release} → ${d.color} :${d.port}, public :${d.target.port} on ${d.target.hosts.join(", ")}; serving now: ${now}`,
    );
    run.out.line(`    steps: ${d.steps.join(" → ")}`);
  }
  if (!plan.deploys.length) run.out.line("  nothing to deploy");
  run.out.line(
    `  tested: ${plan.tested.join(", ") || "nothing"}; health level ${plan.healthLevel}, monitoring ${plan.monitorSeconds} s`,
  );
  run.out.line(
    `  window: ${plan.window.local}${plan.window.blocked ? ` — blocked: ${plan.window.reason}` : ", open"}${plan.window.emergency ? ` (emergency: ${plan.window.emergency})` : ""}`,
  );
  for (const s of plan.skips) run.out.line(`  skip gate ${s.gate}: ${s.reason}`);
  for (const w of plan.warnings) run.out.warn(w);
}
