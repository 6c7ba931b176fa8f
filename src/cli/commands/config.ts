import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { checkConfig } from "../../config/check.js";
import { generateExample } from "../../config/example.js";
import { loadConfig, type ResolvedConfig } from "../../config/load.js";
import { describeOrigin, redactConfig, redactionMarker, sensitiveValues } from "../../config/redact.js";
import { loadConfigSchema } from "../../config/schema-source.js";
import { EXIT, formatProblem, TroError } from "../../errors.js";
import { requireProject } from "../../workspace/lookup.js";
import { openFromRun } from "../context.js";
import type { CommandRun, Handler } from "../program.js";

function guard(run: CommandRun, config: ResolvedConfig): void {
  for (const { key, value } of sensitiveValues(config)) run.out.scrubber.add(value, `config ${key}`);
}

export const configShowCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0]!;
  const config = await loadConfig({ workspace: ctx.workspace, project, environment: ctx.environment, env: run.io.env });
  guard(run, config);
  const redacted = redactConfig(config);
  const keys = [...config.provenance.keys()].sort();
  if (run.globals.json) {
    run.out.json({
      project,
      environment: ctx.environment,
      hash: config.hash,
      config: redacted,
      provenance: Object.fromEntries(
        keys.map((k) => [k, { ...config.provenance.get(k), sensitive: config.isSensitive(k) }]),
      ),
      ...(run.opts.sources ? { layers: config.layers } : {}),
    });
    return EXIT.ok;
  }
  const c = run.out.colors;
  run.out.line(`${c.bold(project)} in ${c.bold(ctx.environment)}  ${c.dim(`config ${config.hash.slice(0, 12)}`)}`);
  if (run.opts.sources) {
    run.out.line(c.dim("layers, later wins:"));
    for (const layer of config.layers) {
      const what = layer.kind === "env" ? `variables: ${layer.variables?.join(", ") || "none"}` : (layer.file ?? "");
      const ignored = layer.ignored?.length ? c.dim(` (ignored, empty: ${layer.ignored.join(", ")})`) : "";
      run.out.line(`  ${layer.kind.padEnd(12)} ${layer.present ? what : c.dim(`${what} (absent)`)}${ignored}`);
    }
    run.out.line();
  }
  const width = Math.min(48, Math.max(...keys.map((k) => k.length), 8));
  for (const key of keys) {
    const origin = config.provenance.get(key);
    const value =
      config.isSensitive(key) || isUnderSensitive(config, key)
        ? redactionMarker(origin)
        : JSON.stringify(valueAtKey(redacted, key));
    const from =
      origin?.layer === "env" || origin?.layer === "default"
        ? describeOrigin(origin)
        : `${origin?.layer} ${describeOrigin(origin)}`;
    run.out.line(`  ${key.padEnd(width)} = ${value}  ${c.dim(`← ${from}`)}`);
  }
  return EXIT.ok;
};

function isUnderSensitive(config: ResolvedConfig, key: string): boolean {
  const parts = key.split(".");
  return parts.some((_, i) => i > 0 && config.isSensitive(parts.slice(0, i).join(".")));
}

function valueAtKey(data: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], data);
}

export const configCheckCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = run.args[0];
  const environments = run.opts.allEnvs ? ctx.workspace.environments : [ctx.environment];
  const report = await checkConfig({
    workspace: ctx.workspace,
    projects: project ? [project] : undefined,
    environments,
    current: ctx.environment,
    env: run.io.env,
  });
  if (run.globals.json) {
    run.out.json({ ok: report.ok, environments, projects: report.projects });
    return report.ok ? EXIT.ok : EXIT.config;
  }
  const c = run.out.colors;
  for (const p of report.projects) {
    run.out.line(`${p.ok ? c.green("✔") : c.red("✘")} ${c.bold(p.project)}`);
    for (const r of p.results) {
      if (r.ok && run.globals.quiet) continue;
      const label = `${r.check}${r.environment ? ` ${r.environment}` : ""}`;
      run.out.line(`  ${r.ok ? c.green("✔") : c.red("✘")} ${label}`);
      for (const problem of r.problems) run.out.line(`      ${formatProblem(problem)}`);
    }
  }
  if (!report.projects.length) run.out.line("no project declares a config block");
  if (!report.ok) {
    const failed = report.projects.filter((p) => !p.ok).map((p) => p.project);
    throw new TroError("TRO_ERR_CONFIG_CHECK_FAILED", `Config check failed for ${failed.join(", ")}.`, {
      hint: "Fix the problems listed above; nothing was started.",
    });
  }
  return EXIT.ok;
};

export const configExampleCommand: Handler = async (run) => {
  const ctx = openFromRun(run);
  const project = requireProject(ctx.workspace, run.args[0]!);
  if (!project.config?.schema) {
    throw new TroError("TRO_ERR_CONFIG_SCHEMA", `Project ${project.name} declares no config schema.`, {
      hint: `Add projects.${project.name}.config.schema to tradeops.yaml.`,
    });
  }
  const text = generateExample(await loadConfigSchema(project.config.schema, ctx.workspace.root));
  if (!run.opts.write) {
    if (run.globals.json) run.out.json({ ok: true, project: project.name, example: text });
    else run.io.stdout.write(text);
    return EXIT.ok;
  }
  if (!project.config.example) {
    throw new TroError("TRO_ERR_USAGE", `Project ${project.name} names no example file to write.`, {
      hint: `Add projects.${project.name}.config.example (e.g. config.example.yaml) to tradeops.yaml.`,
    });
  }
  writeFileSync(project.config.example, text);
  if (run.globals.json) run.out.json({ ok: true, project: project.name, wrote: project.config.example });
  else run.out.info(`wrote ${relative(run.io.cwd, project.config.example)}`);
  return EXIT.ok;
};
