import { resolve } from "node:path";
import { resolveConfig } from "../../config/load.js";
import { EXIT } from "../../errors.js";
import { resolveSecrets, type SecretsReport } from "../../secrets/resolve.js";
import { scanForSecrets } from "../../secrets/scan.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

export const secretsCheckCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const names = run.args[0]
    ? [run.args[0]]
    : Object.values(ctx.workspace.projects)
        .filter((p) => Object.keys(p.secrets).length)
        .map((p) => p.name);
  const reports: SecretsReport[] = [];
  for (const project of names) {
    if (!ctx.workspace.projects[project]) {
      const { requireProject } = await import("../../config/load.js");
      requireProject(ctx.workspace, project);
    }
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
  const failed = reports.flatMap((r) => r.secrets).filter((s) => s.error);
  const missing = reports.flatMap((r) => r.secrets).filter((s) => s.required && !s.secret && !s.error);
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
  const c = run.out.colors;
  for (const report of reports) {
    run.out.line(`${c.bold(report.project)} in ${c.bold(report.environment)}`);
    for (const s of report.secrets) {
      const mark = s.secret ? c.green("✔") : s.required ? c.red("✘") : c.yellow("·");
      const what = s.secret
        ? `from ${s.source}${s.lastResort ? c.yellow(" (last resort)") : ""}`
        : (s.error ?? `no value from ${s.attempts.map((a) => a.source).join(", ")}`);
      run.out.line(`  ${mark} ${s.name.padEnd(22)} ${what}`);
      if (!s.secret || run.globals.verbose) {
        for (const a of s.attempts)
          run.out.line(c.dim(`      ${a.source}: ${a.outcome}${a.reason ? ` (${a.reason})` : ""}`));
      }
    }
    for (const w of report.warnings) run.out.warn(w);
  }
  if (code !== EXIT.ok) {
    run.out.error(
      `${c.red("error:")} ${failed.length + missing.length} secret(s) did not resolve in ${ctx.environment}.`,
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
