/** `tradeops notify test`: a test message to every notification channel of the environment, and what each did. */
import { EXIT, TroError } from "../../errors.js";
import { sendTestNotification } from "../../notify/index.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

export const notifyTestCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const results = await sendTestNotification(ctx.workspace, ctx.environment, { env: run.io.env });
  const failed = results.filter((r) => !r.ok);
  const message = `${failed.length} of ${results.length} notification channels did not take the message (${failed.map((f) => f.channel).join(", ")}).`;
  if (run.globals.json) {
    // one document, the failure in it
    run.out.json({
      environment: ctx.environment,
      ok: !failed.length,
      channels: results,
      ...(failed.length ? { error: { code: "TRO_ERR_NOTIFY_FAILED", message } } : {}),
    });
    return failed.length ? EXIT.unavailable : EXIT.ok;
  }
  const c = run.out.colors;
  for (const r of results) {
    const what = r.ok
      ? `sent (attempt ${r.attempts})`
      : `failed after ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}: ${r.error}`;
    run.out.line(`${r.ok ? c.green("✔") : c.red("✘")} ${r.channel.padEnd(16)} ${r.type.padEnd(9)} ${what}`);
  }
  if (!failed.length) return EXIT.ok;
  throw new TroError("TRO_ERR_NOTIFY_FAILED", message, {
    hint: `Check their settings in environments.${ctx.environment}.notifications and the variables they name.`,
  });
};
