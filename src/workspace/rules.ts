/** Rules the schema alone cannot express: references between keys, files that must exist, unsafe combinations. */

import { relative, resolve } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import type { Problem } from "../errors.js";
import type { KeyPath, StructuredDocument } from "../validation/document.js";
import { regexProblem } from "../validation/safe-regex.js";
import { didYouMean } from "../validation/suggest.js";
import { type PathKind, pathKind } from "./snapshot.js";
import type { Workspace } from "./types.js";

/** a start command that runs `tradeops serve` (`tradeops serve argo`, `node …/bin/tradeops.js --workspace W serve argo`) */
const SERVE = /\btradeops(\.js)?\s(.*\s)?serve(\s|$)/;

export function checkWorkspaceRules(
  ws: Workspace,
  doc: StructuredDocument,
  /** records every path looked at and what it was, so that a snapshot of the result knows when it goes stale */
  seen?: Map<string, PathKind>,
): { errors: Problem[]; warnings: Problem[] } {
  const kind = (path: string): PathKind => {
    const found = pathKind(path);
    seen?.set(path, found);
    return found;
  };
  const existsSync = (path: string) => kind(path) !== "none";
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const at = (path: KeyPath, message: string, extra: Partial<Problem> = {}): Problem => {
    const pos = doc.locate(path, true);
    return { file: doc.file, line: pos?.line, column: pos?.column, key: path.join("."), message, ...extra };
  };
  const declared = new Set<string>(ws.environments);
  const declaredList = ws.environments.join(", ");
  const requireDeclared = (env: string, path: KeyPath) => {
    if (!declared.has(env)) {
      errors.push(at(path, `environment \`${env}\` is not declared in \`environments\` (declared: ${declaredList})`));
    }
  };
  const projectNames = Object.keys(ws.projects);
  const requireProject = (name: string, path: KeyPath) => {
    if (!ws.projects[name]) {
      errors.push(at(path, `no project named \`${name}\`${didYouMean(name, projectNames)}`));
    }
  };
  const requireFile = (file: string | undefined, path: KeyPath, what: string) => {
    if (file !== undefined && !existsSync(file)) {
      errors.push(at(path, `${what} ${relative(ws.root, file)} does not exist`));
    }
  };

  const detect = ws.manifest.environments?.detect;
  for (const rule of ["markerFiles", "pathContains", "hostnameContains"] as const) {
    for (const env of Object.keys(detect?.[rule] ?? {})) requireDeclared(env, ["environments", "detect", rule, env]);
  }
  for (const [alias, env] of Object.entries(detect?.aliases ?? {})) {
    requireDeclared(env, ["environments", "detect", "aliases", alias]);
  }
  if (ws.detect.default !== "refuse" && !declared.has(ws.detect.default)) {
    errors.push(
      at(
        detect ? ["environments", "detect", "default"] : ["environments"],
        `the default environment \`${ws.detect.default}\` is not declared (declared: ${declaredList}); set environments.detect.default to a declared environment or to refuse`,
      ),
    );
  }

  for (const env of ws.environments) {
    const settings = ws.settings[env]!;
    if (env === "production" && settings.pauseWhenIdle) {
      errors.push(at(["environments", env, "pauseWhenIdle"], "production never pauses: set pauseWhenIdle to false"));
    }
    if (settings.signals.store.trim() === "none" && settings.signals.required) {
      errors.push(
        at(
          ["environments", env, "signals", "store"],
          `the signal log cannot be turned off where it is required${env === "production" ? " (production requires it by default)" : ""}: set signals.required to false, or keep a store`,
        ),
      );
    }
    if (settings.executionMode === "live" && env !== "production") {
      errors.push(at(["environments", env, "executionMode"], "live execution is allowed only in production"));
    }
  }

  const ports = new Map<number, string>();
  for (const project of Object.values(ws.projects)) {
    const base: KeyPath = ["projects", project.name];
    if (kind(project.dir) !== "dir") {
      errors.push(at([...base, "path"], `project directory ${project.path} does not exist`));
    }
    for (const [i, other] of (ws.manifest.projects[project.name]?.coupledWith ?? []).entries()) {
      if (other === project.name)
        errors.push(at([...base, "coupledWith", i], "a project cannot be coupled with itself"));
      else requireProject(other, [...base, "coupledWith", i]);
    }
    if (project.health.heartbeatFile && project.health.command)
      errors.push(at([...base, "health", "command"], "choose one health check: heartbeatFile or command, not both"));
    // a spare stands by only when it is `tradeops serve`: of any other program it would be a second running copy
    if (project.health.warmSpare && !(project.kind === "strategy" && SERVE.test(project.commands.start ?? "")))
      errors.push(
        at(
          [...base, "health", "warmSpare"],
          "a warm spare needs a strategy whose start command runs `tradeops serve` (of another program it would be a second running copy)",
        ),
      );
    if (project.port !== undefined) {
      const owner = ports.get(project.port);
      if (owner) errors.push(at([...base, "port"], `port ${project.port} is already used by project \`${owner}\``));
      else ports.set(project.port, project.name);
    }
    const config = ws.manifest.projects[project.name]?.config;
    if (config && project.config) {
      requireFile(project.config.schema, [...base, "config", "schema"], "config schema");
      requireFile(project.config.base, [...base, "config", "base"], "config file");
      for (const env of Object.keys(config.environments)) {
        requireDeclared(env, [...base, "config", "environments", env]);
        requireFile(
          project.config.environments[env as EnvironmentName],
          [...base, "config", "environments", env],
          "config overlay",
        );
      }
      if (!config.base && !Object.keys(config.environments).length && !config.local) {
        warnings.push(at([...base, "config"], "config declares no files: only environment variables are read"));
      }
    }
    for (const [secret, chains] of Object.entries(project.secrets)) {
      if (isProcessCritical(secret)) {
        errors.push(
          at(
            [...base, "secrets", secret],
            `secret name ${secret} would replace a variable the process itself depends on (PATH, HOME, LD_*, NODE_OPTIONS, …); name the secret after what it holds`,
          ),
        );
      }
      for (const [env, chain] of Object.entries(chains)) {
        const path = [...base, "secrets", secret, env];
        requireDeclared(env, path);
        if (env !== "production" || !chain) continue;
        const configAt = chain.sources.findIndex((s) => s.startsWith("config:"));
        if (configAt >= 0 && (!chain.allowLastResort || configAt !== chain.sources.length - 1)) {
          errors.push(
            at(path, "a config: source is allowed in production only as the last source, with allowLastResort: true"),
          );
        }
      }
    }
    for (const [env, binding] of Object.entries(project.accounts)) {
      const path = [...base, "accounts", env];
      requireDeclared(env, path);
      if (binding?.mode === "live" && env !== "production") {
        warnings.push(
          at(
            [...path, "mode"],
            `a live account bound to ${env} is refused by the account guard: live trading is production only`,
          ),
        );
      }
      for (const role of ["keyId", "secretKey"] as const) {
        const name = binding?.credentials?.[role];
        if (name && !project.secrets[name]) {
          errors.push(
            at([...path, "credentials", role], `secret \`${name}\` is not declared under this project's secrets`),
          );
        }
      }
    }
    for (const env of Object.keys(project.requiredEnv)) requireDeclared(env, [...base, "requiredEnv", env]);
  }

  for (const [i, shared] of ws.shared.entries()) {
    if (!existsSync(resolve(ws.root, shared))) errors.push(at(["shared", i], `shared path ${shared} does not exist`));
  }
  for (const [env, targets] of Object.entries(ws.targets)) {
    requireDeclared(env, ["targets", env]);
    for (const name of Object.keys(targets ?? {})) requireProject(name, ["targets", env, name]);
  }
  for (const [env, policy] of Object.entries(ws.policies)) {
    requireDeclared(env, ["policies", env]);
    for (const [i, other] of (policy?.requireHealthy ?? []).entries()) {
      requireDeclared(other, ["policies", env, "requireHealthy", i]);
      if (other === env)
        errors.push(at(["policies", env, "requireHealthy", i], "an environment cannot require itself"));
    }
    for (const [i, pattern] of (policy?.refusePatterns ?? []).entries()) {
      const problem = regexProblem(pattern);
      if (problem) errors.push(at(["policies", env, "refusePatterns", i], problem));
    }
  }
  return { errors, warnings };
}

/** Variables that change how a process (or its loader, shell or runtime) behaves: never a secret's name. */
const CRITICAL = new Set([
  "PATH",
  "HOME",
  "USER",
  "SHELL",
  "IFS",
  "ENV",
  "BASH_ENV",
  "PWD",
  "TMPDIR",
  "NODE_OPTIONS",
  "NODE_PATH",
  "NODE_EXTRA_CA_CERTS",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "PERL5OPT",
  "RUBYOPT",
  "JAVA_TOOL_OPTIONS",
  "PORT",
]);

/** True for a name that shadows a process-critical variable (case-insensitively for the LD_/DYLD_ families). */
export function isProcessCritical(name: string): boolean {
  return CRITICAL.has(name) || /^(LD|DYLD)_/i.test(name) || name.startsWith("TRADEOPS_");
}
