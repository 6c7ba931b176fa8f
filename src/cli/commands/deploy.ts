/** `tradeops deploy`: flags in, one `deploy()` call, a live task list (TTY) or plain lines out. */
import { announceDeploy } from "../../deploy/announce.js";
import { deploy } from "../../deploy/deploy.js";
import { EXIT, TroError } from "../../errors.js";
import { replaySignalParity } from "../../runtime/parity.js";
import { openFromRun, targetArguments } from "../context.js";
import { acceptSignalChanges, positiveSecondsFlag } from "../flags.js";
import { hostnameOf, selfCommand, whoAmI } from "../identity.js";
import type { Handler } from "../program.js";
import { createProgress, printPlan } from "../render/deploy.js";

export const deployCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const { workspace } = ctx;
  const which = run.args[0]!;
  const { environment } = targetArguments(run, ctx, {
    takesTo: true,
    required: true,
    example: `tradeops deploy ${which} to production`,
  });
  const reason = run.opts.reason as string | undefined;
  if (run.opts.emergency && !reason?.trim()) {
    throw new TroError("TRO_ERR_USAGE", "--emergency needs --reason TEXT saying what the emergency is.", {
      hint: 'e.g. --emergency --reason "stop-loss bug losing money"; it is recorded with the deploy.',
    });
  }
  const progress = createProgress(run);
  const abort = interruptible();
  const announce = (end: Parameters<typeof announceDeploy>[1]) =>
    announceDeploy({ workspace, environment, env: run.io.env, which, scrub: (t) => run.out.scrubber.scrub(t) }, end);
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
      signalParity: replaySignalParity,
      acceptSignalChanges: acceptSignalChanges(run.opts.acceptSignalChanges),
      since: run.opts.since as string | undefined,
      dryRun: Boolean(run.opts.dryRun),
      env: run.io.env,
      who: whoAmI(run),
      hostname: hostnameOf(run),
      command: `deploy ${which} to ${environment}`,
      startTimeoutMs: positiveSecondsFlag(run.opts.startTimeout, "--start-timeout") * 1000,
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
    }).catch(async (error: unknown) => {
      await announce({ error });
      throw error;
    });
    await progress.done();
    await announce({ result });
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
