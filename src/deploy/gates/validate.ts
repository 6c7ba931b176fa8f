/**
 * Gate 7: the environment is valid for the target — config checks pass for that environment, required variables
 * and secrets resolve (a `secrets: host` target's are only counted here: its host resolves them), and the artifact
 * holds no literal secret.
 */
import { checkConfig } from "../../config/check.js";
import { formatProblem, isTroError } from "../../errors.js";
import { scanForSecrets } from "../../secrets/scan.js";
import { prepareRelease } from "../prepare.js";
import { findTarget } from "../targets.js";
import { fail, type GateContext, type GateVerdict, pass } from "./context.js";

/** This machine is never the target environment for the config checks: its local overlay must not count. */
const NOT_A_TARGET = "test" as const;

export async function environmentGate(ctx: GateContext): Promise<GateVerdict> {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const name of ctx.deployed) {
    const project = ctx.workspace.projects[name]!;
    if (project.config) {
      const report = await checkConfig({
        workspace: ctx.workspace,
        projects: [name],
        environments: [ctx.environment],
        current: ctx.environment === NOT_A_TARGET ? "development" : NOT_A_TARGET,
        env: ctx.env,
      });
      for (const result of report.projects.flatMap((p) => p.results)) {
        if (result.check === "parity") continue;
        for (const problem of result.problems)
          problems.push(`${name} config ${result.check}: ${formatProblem(problem)}`);
      }
    }
    try {
      const target = findTarget(ctx.workspace, ctx.environment, name);
      const prepared = await prepareRelease(ctx.workspace, name, ctx.environment, ctx.env, {
        secrets: target?.secrets,
      });
      for (const secret of prepared.run.secretNames) ctx.scrub(prepared.run.env[secret]!, `secret ${secret}`);
      ctx.prepared.set(name, prepared);
      // `secrets: host`: this machine never reads them; the host answers after the upload, before anything starts
      const secrets = prepared.hostSecrets
        ? `${prepared.hostSecrets.length} secret(s) left to the host (${target!.hosts.join(", ")}) to resolve, not here`
        : `${prepared.run.secretNames.length} secret(s) resolved`;
      notes.push(
        `${name}: ${prepared.config ? `config ${prepared.config.hash.slice(0, 12)}` : "no config"}, ${secrets}`,
      );
      for (const warning of prepared.warnings) notes.push(`${name}: ${warning}`);
    } catch (error) {
      if (!isTroError(error)) throw error;
      problems.push(`${name}: ${error.message}`, ...error.problems.map((p) => `  ${formatProblem(p)}`));
    }
    const artifact = ctx.artifacts.get(name);
    // the staged tree lies outside any git repository, so every file of the artifact is scanned
    for (const f of artifact ? scanForSecrets(artifact.dir) : []) {
      problems.push(
        `${name}: ${f.file}:${f.line}${f.key ? ` ${f.key}` : ""}: literal secret (${f.kind}) in the artifact`,
      );
    }
  }
  if (problems.length) return fail(`the ${ctx.environment} environment is not valid`, problems);
  return pass(notes.join("; "));
}
