import { resolve } from "node:path";
import { resolveConfig } from "../../config/load.js";
import { EXIT } from "../../errors.js";
import { resolveSecrets, type SecretsReport } from "../../secrets/resolve.js";
import { scanForSecrets } from "../../secrets/scan.js";
import { selectProjects } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";
import { renderSecretsReports } from "../render/secrets.js";

export const secretsCheckCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const which = run.opts.all ? "all" : run.args[0];
  const names = selectProjects(ctx.workspace, which, (p) => Object.keys(p.secrets).length > 0).map((p) => p.name);
  const reports: SecretsReport[] = [];
  for (const project of names) {
    const config = await resolveConfig({
      workspace: ctx.workspace,
      project,
      environment: ctx.environment,
      env: run.io.env,
    });
    const report = await resolveSecrets({
      workspace: ctx.workspace,
      project,
      environment: ctx.environment,
      env: run.io.env,
      config: config.value?.values ?? config.merged,
    });
    for (const s of report.secrets) if (s.secret) run.out.scrubber.add(s.secret.reveal(), `${s.name} from ${s.source}`);
    reports.push(report);
  }
  const all = reports.flatMap((r) => r.secrets);
  const failed = all.filter((s) => s.error && s.required);
  const missing = all.filter((s) => s.required && !s.secret && !s.error);
  const code = failed.length ? EXIT.unavailable : missing.length ? EXIT.config : EXIT.ok;
  if (run.globals.json) {
    run.out.json({
      ok: code === EXIT.ok,
      environment: ctx.environment,
      projects: reports.map((r) => ({
        project: r.project,
        warnings: r.warnings,
        secrets: r.secrets.map((s) => ({
          name: s.name,
          resolved: Boolean(s.secret),
          required: s.required,
          notRequired: s.notRequired ?? null,
          source: s.source ?? null,
          lastResort: s.lastResort,
          cacheAgeSeconds: s.cacheAgeMs === undefined ? null : Math.round(s.cacheAgeMs / 1000),
          error: s.error ?? null,
          attempts: s.attempts,
        })),
      })),
    });
    return code;
  }
  renderSecretsReports(run.out, reports, run.globals.verbose);
  if (code !== EXIT.ok) {
    const n = failed.length + missing.length;
    run.out.error(
      `${run.out.colors.red("error:")} ${n} required secret${n === 1 ? "" : "s"} did not resolve in ${ctx.environment}.`,
    );
  }
  return code;
};

export const secretsScanCommand: Handler = async (run) => {
  const root = run.args[0]
    ? resolve(run.io.cwd, run.args[0])
    : (await import("../../workspace/load.js")).loadWorkspace({ cwd: run.io.cwd, workspace: run.globals.workspace })
        .root;
  const findings = scanForSecrets(root);
  if (run.globals.json) run.out.json({ ok: !findings.length, root, findings });
  else {
    for (const f of findings) run.out.line(`${f.file}:${f.line}${f.key ? ` ${f.key}` : ""}: ${f.kind} (${f.masked})`);
    if (findings.length)
      run.out.error(`${run.out.colors.red("error:")} ${findings.length} literal secret(s) in committed files.`);
    else run.out.info("no literal secrets found");
  }
  return findings.length ? EXIT.failed : EXIT.ok;
};
