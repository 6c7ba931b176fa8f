/**
 * Why: the costly half of loading a workspace — parsing tradeops.yaml (with positions), checking it against the
 * generated JSON Schema validator, normalising it and checking the workspace rules — kept apart from load.ts so
 * that a command whose manifest snapshot is current never loads the YAML parser or the validator (see the CLI
 * build, which loads this module only when it is called).
 */
import { dirname, resolve } from "node:path";
import { ENVIRONMENTS, type EnvironmentName } from "../environment/names.js";
import type { Problem } from "../errors.js";
import { ajvIssues } from "../validation/ajv-issues.js";
import { type KeyPath, parseStructured, type StructuredDocument } from "../validation/document.js";
import { propertyNames, schemasAt } from "../validation/json-schema.js";
import { closest } from "../validation/suggest.js";
import { describeValue, valueAt } from "../validation/zod-issues.js";
import { DEFAULT_DETECT } from "./defaults.js";
import { manifestJsonSchema, validate } from "./manifest-validator.generated.js";
import { checkWorkspaceRules } from "./rules.js";
import type { EnvironmentSettingsInput, Manifest } from "./schema.js";
import type { PathKind } from "./snapshot.js";
import type { EnvironmentSettings, Project, SecretChain, Workspace } from "./types.js";

export interface ManifestValidation {
  readonly value?: Workspace;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

/** Where a key of the manifest text is (line and column), for messages about a workspace loaded from a snapshot. */
export function manifestLocator(text: string, manifestPath: string): Workspace["locate"] {
  const doc = parseStructured(text, relativeName(manifestPath));
  return (path: KeyPath) => doc.locate(path, true);
}

/** Validates manifest text; returns problems rather than throwing so that callers decide. */
export function validateManifest(
  text: string,
  manifestPath: string,
  /** filled with every path the rules looked at and what it was */
  seen?: Map<string, PathKind>,
): ManifestValidation {
  const file = relativeName(manifestPath);
  const doc = parseStructured(text, file);
  if (doc.problems.length) return { errors: doc.problems, warnings: [] };
  if (doc.data === null || doc.data === undefined || typeof doc.data !== "object" || Array.isArray(doc.data)) {
    return {
      errors: [{ file, line: 1, message: "the manifest must be a mapping with at least `name`" }],
      warnings: [],
    };
  }
  // the compiled JSON Schema fills in defaults as it checks, so it works on a copy
  const data = structuredClone(doc.data);
  if (!validate(data)) return { errors: schemaProblems(doc, validate.errors ?? []), warnings: [] };
  const root = dirname(manifestPath);
  const workspace = normalize(data as Manifest, root, manifestPath, doc);
  const { errors, warnings } = checkWorkspaceRules(workspace, doc, seen);
  return errors.length ? { errors, warnings } : { value: { ...workspace, warnings }, errors, warnings };
}

function schemaProblems(doc: StructuredDocument, errors: Parameters<typeof ajvIssues>[0]): Problem[] {
  return ajvIssues(errors, manifestJsonSchema).map((issue): Problem => {
    const key = issue.path.join(".");
    const at = doc.locate(issue.path, issue.kind === "unknown" || issue.kind === "missing");
    let message = issue.message;
    if (issue.kind === "unknown") {
      const name = String(issue.path[issue.path.length - 1]);
      const known = propertyNames(schemasAt(manifestJsonSchema, issue.path.slice(0, -1)), manifestJsonSchema);
      const hint = closest(name, known);
      message = `unknown key \`${name}\`${hint ? `; did you mean \`${hint}\`?` : ""}`;
    }
    const got =
      issue.kind === "missing" || issue.kind === "unknown"
        ? undefined
        : describeValue(valueAt(doc.data, issue.path), false);
    return {
      file: doc.file,
      line: at?.line,
      column: at?.column,
      key: key || undefined,
      message,
      expected: issue.expected,
      got,
    };
  });
}

function relativeName(manifestPath: string): string {
  return manifestPath.split(/[\\/]/).pop() ?? manifestPath;
}

function normalize(manifest: Manifest, root: string, manifestPath: string, doc: StructuredDocument): Workspace {
  const declared = ENVIRONMENTS.filter((env) => manifest.environments?.[env] !== undefined);
  const environments = declared.length ? declared : [...ENVIRONMENTS];
  const settings: Partial<Record<EnvironmentName, EnvironmentSettings>> = {};
  for (const env of environments) settings[env] = environmentDefaults(env, manifest.environments?.[env]);

  const coupling = new Map<string, Set<string>>();
  for (const [name, p] of Object.entries(manifest.projects)) {
    for (const other of p.coupledWith) {
      if (!coupling.has(name)) coupling.set(name, new Set());
      if (!coupling.has(other)) coupling.set(other, new Set());
      coupling.get(name)!.add(other);
      coupling.get(other)!.add(name);
    }
  }

  const projects: Record<string, Project> = {};
  for (const [name, p] of Object.entries(manifest.projects)) {
    const dir = resolve(root, p.path);
    const inProject = (file: string | undefined) => (file === undefined ? undefined : resolve(dir, file));
    const secrets: Record<string, Partial<Record<EnvironmentName, SecretChain>>> = {};
    for (const [secret, perEnv] of Object.entries(p.secrets)) {
      const chains: Partial<Record<EnvironmentName, SecretChain>> = {};
      for (const [env, chain] of Object.entries(perEnv) as [EnvironmentName, (typeof perEnv)[EnvironmentName]][]) {
        if (!chain) continue;
        chains[env] = Array.isArray(chain)
          ? { sources: chain, allowLastResort: false, optional: false }
          : {
              sources: chain.sources,
              allowLastResort: chain.allowLastResort ?? false,
              optional: chain.optional ?? false,
            };
      }
      secrets[secret] = chains;
    }
    projects[name] = {
      name,
      dir,
      path: p.path,
      kind: p.kind,
      description: p.description,
      coupledWith: [...(coupling.get(name) ?? [])].sort(),
      sendsOrders: p.sendsOrders ?? p.kind === "strategy",
      liveTrading: p.liveTrading,
      commands: p.commands,
      port: p.port,
      outputDir: p.outputDir,
      health: p.health,
      config: p.config && {
        schema: inProject(p.config.schema),
        base: inProject(p.config.base),
        environments: Object.fromEntries(
          Object.entries(p.config.environments).map(([env, file]) => [env, inProject(file)!]),
        ),
        local: inProject(p.config.local),
        example: inProject(p.config.example),
        envPrefix: p.config.envPrefix,
        export: p.config.export,
      },
      secrets,
      accounts: p.accounts,
      requiredEnv: p.requiredEnv,
      environmentVariable: p.environmentVariable,
      logLevelVariable: p.logLevelVariable ?? { name: "LOG_LEVEL", values: {} },
    };
  }

  return {
    root,
    manifestPath,
    name: manifest.name,
    environments,
    settings,
    detect: manifest.environments?.detect ?? DEFAULT_DETECT,
    projects,
    shared: manifest.shared,
    targets: manifest.targets,
    policies: manifest.policies,
    manifest,
    warnings: [],
    locate: (path) => doc.locate(path, true),
  };
}

function environmentDefaults(env: EnvironmentName, input: EnvironmentSettingsInput | undefined): EnvironmentSettings {
  const relaxed = env === "development" || env === "test";
  return {
    name: env,
    logLevel: input?.logLevel ?? (relaxed ? "debug" : "info"),
    logRetentionDays: input?.logRetentionDays ?? (relaxed ? 7 : 30),
    signals: {
      store: input?.signals?.store ?? `sqlite:.tradeops/${env}/signals.db`,
      required: input?.signals?.required ?? env === "production",
      retentionDays: input?.signals?.retentionDays ?? (env === "production" ? 2557 : 7),
    },
    executionMode: input?.executionMode ?? (env === "test" ? "backtest" : "paper"),
    autoExecute: input?.autoExecute ?? true,
    pauseWhenIdle: input?.pauseWhenIdle ?? env === "development",
    idle: {
      processes: input?.idle?.processes ?? [],
      heartbeatFile: input?.idle?.heartbeatFile,
      heartbeatMaxAgeMinutes: input?.idle?.heartbeatMaxAgeMinutes,
    },
    notifications: input?.notifications ?? [],
  };
}
