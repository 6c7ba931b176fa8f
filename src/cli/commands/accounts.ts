import { type AccountReport, checkAccount } from "../../accounts/check.js";
import { resolveConfig } from "../../config/load.js";
import { EXIT, isTroError } from "../../errors.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

export const accountsCheckCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const names = run.args[0]
    ? [requireProject(ctx.workspace, run.args[0]).name]
    : Object.values(ctx.workspace.projects)
        .filter((p) => p.accounts[ctx.environment])
        .map((p) => p.name);
  const reports: AccountReport[] = [];
  let refusal: unknown;
  for (const project of names) {
    const config = await resolveConfig({
      workspace: ctx.workspace,
      project,
      environment: ctx.environment,
      env: run.io.env,
    });
    try {
      reports.push(
        await checkAccount({
          workspace: ctx.workspace,
          project,
          environment: ctx.environment,
          env: run.io.env,
          config: config.value?.values ?? config.merged,
        }),
      );
    } catch (error) {
      const report = (error as { report?: AccountReport }).report;
      if (!isTroError(error) || !report) throw error;
      reports.push(report);
      refusal ??= error;
    }
  }
  if (run.globals.json) {
    run.out.json({ ok: !refusal, environment: ctx.environment, accounts: reports });
    return refusal ? EXIT.refused : EXIT.ok;
  }
  for (const report of reports) render(run, report);
  if (!reports.length) run.out.line(`no project binds an account in ${ctx.environment}`);
  if (refusal) throw refusal;
  return EXIT.ok;
};

function render(run: CommandRun, r: AccountReport): void {
  const c = run.out.colors;
  const a = r.account;
  run.out.line(
    `${r.ok ? c.green("✔") : c.red("✘")} ${c.bold(r.project)} in ${c.bold(r.environment)}: ${r.broker} ${r.mode}`,
  );
  if (r.accountName) run.out.line(`    account      ${r.accountName}`);
  if (r.notContacted) run.out.line(`    broker       not asked: ${r.notContacted}`);
  if (a) {
    run.out.line(`    number       ${a.accountNumber} (${a.kind}, ${a.status})`);
    run.out.line(`    buying power ${a.buyingPower} ${a.currency}`);
  }
  run.out.line(`    endpoint     ${r.baseUrl}`);
  run.out.line(`    credentials  ${r.credentialSource === "none" ? "none given" : `from ${r.credentialSource}`}`);
  for (const g of r.guards)
    run.out.line(`    ${g.ok ? c.green("✔") : c.red("✘")} ${g.rule.padEnd(28)} ${c.dim(g.detail)}`);
}
