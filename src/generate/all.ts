/** `generate github-actions|compose|kubernetes|all`: the files each generator writes, written or checked for drift. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadConfig } from "../config/load.js";
import { flattenConfig } from "../secrets/run-env.js";
import type { Workspace } from "../workspace/types.js";
import { composeFiles } from "./compose.js";
import { githubActionsFiles } from "./github-actions.js";
import { kubernetesFiles } from "./kubernetes.js";
import { type GeneratedFile, type GenerateOptions, runnableProjects, secretsWithoutEnvSource } from "./projects.js";

export const secretsWithoutEnv = secretsWithoutEnvSource;

export const GENERATORS = ["github-actions", "compose", "kubernetes"] as const;
export type GeneratorName = (typeof GENERATORS)[number];

/** The config a pod is given through its ConfigMap: the layered config of the environment, secrets left out. */
async function configVars(options: GenerateOptions): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const project of runnableProjects(options.workspace)) {
    if (!project.config) {
      out[project.name] = {};
      continue;
    }
    const config = await loadConfig({
      workspace: options.workspace,
      project: project.name,
      environment: options.environment,
      env: {},
      includeLocal: false,
    });
    const prefix = project.config.envPrefix ?? `${project.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
    out[project.name] = flattenConfig(withoutSensitive(config.values, config.isSensitive.bind(config)), prefix);
  }
  return out;
}

function withoutSensitive(
  value: unknown,
  isSensitive: (key: string) => boolean,
  path: string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = [...path, k];
    if (isSensitive(key.join("."))) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? withoutSensitive(v, isSensitive, key) : v;
  }
  return out;
}

/**
 * The files one generator (or all of them) writes, paths relative to the output directory.
 * @throws TroError TRO_ERR_CONFIG_INVALID when a project's config does not load for the environment
 */
export async function generateFiles(which: GeneratorName | "all", options: GenerateOptions): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  if (which === "all" || which === "github-actions")
    files.push(
      ...githubActionsFiles(options.workspace).map((f) => (which === "all" ? { ...f, path: `github/${f.path}` } : f)),
    );
  if (which === "all" || which === "compose") files.push(...composeFiles(options));
  if (which === "all" || which === "kubernetes")
    files.push(...kubernetesFiles({ ...options, configVars: await configVars(options) }));
  return files;
}

export interface Drift {
  readonly path: string;
  readonly problem: "missing" | "changed";
}

/** Which generated files differ from what is on disk under `outDir`. */
export function findDrift(outDir: string, files: readonly GeneratedFile[]): Drift[] {
  return files.flatMap((f): Drift[] => {
    const path = join(outDir, f.path);
    if (!existsSync(path)) return [{ path: f.path, problem: "missing" }];
    return readFileSync(path, "utf8") === f.text ? [] : [{ path: f.path, problem: "changed" }];
  });
}

export function writeFiles(outDir: string, files: readonly GeneratedFile[]): string[] {
  return files.map((f) => {
    const path = join(outDir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.text);
    return path;
  });
}

export type { GeneratedFile, GenerateOptions, Workspace };
