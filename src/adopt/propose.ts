/**
 * From what `detectRepository` found to a proposed `tradeops.yaml`: environments, detection rules from the
 * variables the code reads, projects with ports, commands, config layers and secrets (names and sources,
 * never values), plus the list of what only the user can fill in.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { stringify } from "yaml";
import { BUILTIN_ALIASES, canonicalEnvironment, ENVIRONMENTS, type EnvironmentName } from "../environment/names.js";
import {
  ENV_VARIABLE,
  environmentVariableOf,
  flagToFill,
  logLevelVariableOf,
  NOT_DETECTION,
  targetsSnippet,
} from "./conventions.js";
import type { DetectedProject, EnvFile, RepositoryFacts } from "./detect.js";
import { dotenvValue, readText } from "./scan.js";
import { secretChains, seenAt } from "./secret-chains.js";
import { describeFinding } from "./secrets.js";

export interface Proposal {
  readonly manifest: Record<string, unknown>;
  /** the file as it will be written: `$schema` line, the manifest, and what to fill as comments */
  readonly text: string;
  /** what only the user can decide or provide, one sentence each */
  readonly toFill: readonly string[];
  /** each secret proposed, with every place it was seen (`main.py:7 (os.getenv)`); never a value */
  readonly secrets: readonly { readonly project: string; readonly name: string; readonly seen: readonly string[] }[];
}

export interface ProposeOptions {
  readonly root: string;
  readonly name?: string;
}

/** The `$schema` modeline: the installed package's schema, relative to the manifest, wherever node_modules is. */
export function schemaModeline(root: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules/tradeops/schema/tradeops.schema.json");
    if (existsSync(candidate)) return `# yaml-language-server: $schema=${relative(root, candidate)}`;
    if (dirname(dir) === dir) break;
  }
  return "# yaml-language-server: $schema=node_modules/tradeops/schema/tradeops.schema.json";
}

export function proposeManifest(facts: RepositoryFacts, options: ProposeOptions): Proposal {
  const { root } = options;
  const toFill: string[] = [];
  const workspaceName = slug(options.name ?? root.split("/").pop() ?? "desk");
  const allEnvFiles = [...facts.rootEnvFiles, ...facts.projects.flatMap((p) => p.envFiles)];
  const environments = declaredEnvironments(facts, allEnvFiles);

  const detect = detectionRules(facts, allEnvFiles, root);
  if (!detect.variable)
    toFill.push(
      "environments.detect.variable: no variable naming the environment was found in the code; tradeops uses TRADEOPS_ENV",
    );

  const projects: Record<string, unknown> = {};
  const found: { project: string; name: string; seen: string[] }[] = [];
  const names = uniqueNames(facts.projects);
  const services = facts.projects.filter((p) => p.kind === "service");
  for (const [i, p] of facts.projects.entries()) {
    const name = names[i]!;
    const entry: Record<string, unknown> = { path: p.path, kind: p.kind };
    if (p.kind === "frontend" && services.length === 1)
      entry.coupledWith = [names[facts.projects.indexOf(services[0]!)]];
    if (p.port && p.kind !== "frontend") entry.port = p.port;
    if (Object.keys(p.commands).length) entry.commands = p.commands;
    if (p.outputDir) entry.outputDir = p.outputDir;
    if (p.heartbeat)
      entry.health = {
        heartbeatFile: p.heartbeat.file,
        ...(p.heartbeat.maxAgeSeconds ? { heartbeatMaxAgeSeconds: p.heartbeat.maxAgeSeconds } : {}),
      };
    const config = configBlock(p);
    if (config) entry.config = config;
    const secrets = secretChains(p, name, workspaceName, environments, toFill);
    if (Object.keys(secrets).length) entry.secrets = secrets;
    for (const secret of Object.keys(secrets)) found.push({ project: name, name: secret, seen: seenAt(p, secret) });
    const spelling = environmentVariableOf(p, detect.variable as string | undefined, root);
    if (spelling) entry.environmentVariable = spelling;
    const levels = logLevelVariableOf(p, root);
    if (levels) entry.logLevelVariable = levels;
    projects[name] = entry;
    for (const flag of p.flags) toFill.push(flagToFill(name, flag, Boolean(config)));
    if (p.kind === "strategy" && !p.port)
      toFill.push(
        `projects.${name}.port: the port of its /health endpoint, if it serves one (tradeops serve uses it); without one it deploys as a worker, judged by health.heartbeatFile or liveness`,
      );
    if (p.startSecret)
      toFill.push(
        `projects.${name}.commands.start: the start command found (Procfile, unit or Dockerfile) passes a secret on its command line (${p.startSecret}), so it was left out: start it with the secret read from the environment`,
      );
    else if (!p.commands.start && p.kind !== "library" && p.kind !== "frontend")
      toFill.push(`projects.${name}.commands.start: how it starts`);
    if (p.kind === "frontend" && !p.commands.start && !p.outputDir)
      toFill.push(
        `projects.${name}.outputDir: the directory its build writes (served as static files), or commands.start if it runs its own server`,
      );
    if (environments.includes("production") && p.kind !== "library")
      toFill.push(
        `targets.production.${name}: the hosts and base path it runs on (\`local\` or user@host)${
          p.persist.length ? `, with persist: [${p.persist.join(", ")}] to keep them across releases` : ""
        }`,
      );
  }
  for (const f of facts.unclaimedSecrets)
    toFill.push(
      `${f.name} (${describeFinding(f)}) looks like a secret but no project's code reads it: declare it under the secrets of the project that uses it`,
    );

  const manifest: Record<string, unknown> = {
    name: workspaceName,
    environments: {
      detect,
      ...Object.fromEntries(environments.map((e) => [e, envSettings(e)])),
    },
    projects,
    ...(facts.shared.length ? { shared: facts.shared } : {}),
    ...(environments.includes("production")
      ? { policies: { production: { confirmPhrase: "deploy to production", healthLevel: 2 } } }
      : {}),
  };
  const snippet = environments.includes("production") ? targetsSnippet(facts, names) : [];
  return { manifest, text: renderManifest(root, manifest, toFill, snippet), toFill, secrets: found };
}

/** The manifest file as init and migrate write it: `$schema` line, the manifest, what to fill as comments. */
export function renderManifest(
  root: string,
  manifest: Record<string, unknown>,
  toFill: readonly string[],
  trailer: readonly string[] = [],
): string {
  return [
    schemaModeline(root),
    "# Proposed by `tradeops init` from the files in this repository; edit freely (docs/manifest.md).",
    stringify(manifest, { lineWidth: 120 }).trimEnd(),
    ...(toFill.length ? ["", "# To fill in:", ...toFill.map((t) => `# - ${t}`)] : []),
    ...trailer,
    "",
  ].join("\n");
}

function slug(raw: string): string {
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "desk"
  );
}

function uniqueNames(projects: readonly DetectedProject[]): string[] {
  const seen = new Map<string, number>();
  return projects.map((p) => {
    const n = seen.get(p.name) ?? 0;
    seen.set(p.name, n + 1);
    return n ? `${p.name}-${n + 1}` : p.name;
  });
}

function declaredEnvironments(facts: RepositoryFacts, envFiles: readonly EnvFile[]): EnvironmentName[] {
  const found = new Set<EnvironmentName>(["development"]);
  for (const e of envFiles) found.add(e.environment);
  const deployed = facts.projects.some((p) => p.units.length || p.deployScripts.length || p.config?.example);
  if (deployed) found.add("production");
  if (facts.projects.some((p) => p.commands.test)) found.add("test");
  return ENVIRONMENTS.filter((e) => found.has(e));
}

function envSettings(environment: EnvironmentName): Record<string, unknown> {
  if (environment === "development") return { logLevel: "debug" };
  if (environment === "test") return { logLevel: "warn", executionMode: "backtest" };
  return { logLevel: "info" };
}

function detectionRules(facts: RepositoryFacts, envFiles: readonly EnvFile[], root: string): Record<string, unknown> {
  const read = facts.projects.flatMap((p) => p.variables).filter((v) => ENV_VARIABLE.test(v) && !NOT_DETECTION.has(v));
  const variable = read.find((v) => v.endsWith("ENVIRONMENT")) ?? read[0];
  const rules: Record<string, unknown> = {};
  if (variable) {
    rules.variable = variable;
    const aliases: Record<string, EnvironmentName> = {};
    for (const e of envFiles.filter((f) => f.keys.includes(variable))) {
      const value = dotenvValue(readText(root, e.file), variable);
      if (value && !canonicalEnvironment(value) && !(value.toLowerCase() in BUILTIN_ALIASES))
        aliases[value.toLowerCase()] = e.environment;
    }
    if (Object.keys(aliases).length) rules.aliases = aliases;
  }
  const paths = [...new Set(facts.projects.flatMap((p) => p.units.map((u) => u.workingDirectory)).filter(Boolean))];
  if (paths.length) rules.pathContains = { production: paths };
  rules.default = "development";
  return rules;
}

function configBlock(p: DetectedProject): Record<string, unknown> | undefined {
  if (!p.config) return undefined;
  const { local, example } = p.config;
  // switches the code reads (USE_ARCHIVED_DATA) reach it under their own names once a layer sets them
  const names = Object.fromEntries(p.flags.map((f) => [f.name.toLowerCase(), f.name]));
  const exported = p.flags.length ? { export: { names } } : {};
  // a committed template with placeholders is the base; the developer's own file is the local layer, never deployed
  if (example) return { base: example, ...(local ? { local } : {}), ...exported };
  return { base: local, ...exported };
}
