/** `tradeops gates`: every gate, reported with its reason and duration, without lock or upload. */
import { deploy } from "../../deploy/deploy.js";
import { parseRehearsalMoment } from "../../deploy/policy.js";
import { EXIT, TroError } from "../../errors.js";
import { replaySignalParity } from "../../runtime/parity.js";
import { openFromRun, targetArguments } from "../context.js";
import { acceptSignalChanges } from "../flags.js";
import { hostnameOf, whoAmI } from "../identity.js";
import type { Handler } from "../program.js";
import { createProgress, printWindow } from "../render/deploy.js";

export const gatesCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const { workspace } = ctx;
  const which = run.args[0]!;
  const { environment } = targetArguments(run, ctx, {
    takesTo: true,
    required: true,
    example: `tradeops gates ${which} to staging`,
  });
  const skipGates = ((run.opts.skipGate as string[] | undefined) ?? []).map(Number);
  if (skipGates.includes(11))
    throw new TroError("TRO_ERR_USAGE", "Gate 11 runs after a switch; `tradeops gates` has none to skip.", {
      hint: "Drop --skip-gate 11.",
    });
  const at = run.opts.at === undefined ? undefined : parseRehearsalMoment(String(run.opts.at));
  const progress = createProgress(run);
  const result = await deploy({
    workspace,
    environment,
    which,
    gatesOnly: true,
    at,
    skipGates,
    skipReason: run.opts.reason as string | undefined,
    allowDirty: Boolean(run.opts.allowDirty),
    signalParity: replaySignalParity,
    acceptSignalChanges: acceptSignalChanges(run.opts.acceptSignalChanges),
    since: run.opts.since as string | undefined,
    env: run.io.env,
    who: whoAmI(run),
    hostname: hostnameOf(run),
    command: `gates ${which} to ${environment}`,
    onEvent: progress.event,
    onPlan: progress.plan,
    scrub: (value, label) => run.out.scrubber.add(value, label),
  }).finally(() => progress.done());
  const failed = result.gates.filter((g) => g.status === "fail");
  const window = result.plan.window;
  if (!run.globals.json && (window.blocked || at)) printWindow(run, window, at);
  if (run.globals.json) {
    run.out.json({
      ok: failed.length === 0,
      environment,
      projects: result.plan.deploys.map((d) => d.project),
      gates: result.gates,
      window: result.plan.window,
      ...(at ? { at: at.toISOString() } : {}),
    });
  } else if (!result.plan.deploys.length) {
    run.out.line("nothing to check: no project changed since its last deploy");
  }
  if (failed.length) {
    run.out.error(
      `${run.out.colors.red("error:")} ${failed.length} gate${failed.length === 1 ? "" : "s"} failed: ${failed.map((g) => `${g.gate} (${g.name})`).join(", ")}.\n  → Fix them before deploying; \`--skip-gate N --reason\` only where the policy allows.`,
    );
    return EXIT.failed;
  }
  // the deploy itself would be refused at that moment (77), though every gate passed
  if (window.blocked) return EXIT.refused;
  return EXIT.ok;
};
