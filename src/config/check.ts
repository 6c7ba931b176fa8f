/**
 * `config check`: every environment validates, every environment defines the same keys (unless the schema
 * marks a key optional for some), the example file matches the schema, files meant for production hold
 * placeholders rather than literal secrets, and files holding secrets are readable by their owner only.
 */

import { existsSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { EnvironmentName } from "../environment/names.js";
import type { Problem } from "../errors.js";
import { parseStructured, type StructuredDocument } from "../validation/document.js";
import { schemasAt } from "../validation/json-schema.js";
import { readTextFile } from "../validation/read-file.js";
import { isPlaceholder, KNOWN_SECRET_SHAPES } from "../validation/secret-shapes.js";
import { valueAt } from "../validation/zod-issues.js";
import { requireProject } from "../workspace/lookup.js";
import type { Project, Workspace } from "../workspace/types.js";
import { generateExample } from "./example.js";
import { type ConfigResolution, leafKeys, resolveConfig } from "./load.js";
import { optionalIn } from "./schema-source.js";
import { checkTemplate, isShopTemplate } from "./template.js";

export type CheckName = "validate" | "parity" | "example" | "placeholders" | "file-modes";

export interface CheckResult {
  readonly check: CheckName;
  readonly environment?: EnvironmentName;
  readonly ok: boolean;
  readonly problems: readonly Problem[];
}

export interface ProjectCheckReport {
  readonly project: string;
  readonly ok: boolean;
  readonly results: readonly CheckResult[];
}

export interface ConfigCheckReport {
  readonly ok: boolean;
  readonly projects: readonly ProjectCheckReport[];
}

export interface ConfigCheckOptions {
  readonly workspace: Workspace;
  /** projects to check (default: every project with a config block) */
  readonly projects?: readonly string[];
  readonly environments: readonly EnvironmentName[];
  /** the environment of this machine: only it reads the local overlay and environment variables */
  readonly current: EnvironmentName;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export { isPlaceholder };

export async function checkConfig(options: ConfigCheckOptions): Promise<ConfigCheckReport> {
  const { workspace } = options;
  const names = options.projects?.length
    ? options.projects.map((n) => requireProject(workspace, n).name)
    : Object.values(workspace.projects)
        .filter((p) => p.config)
        .map((p) => p.name);
  const projects: ProjectCheckReport[] = [];
  for (const name of names) projects.push(await checkProject(name, options));
  return { ok: projects.every((p) => p.ok), projects };
}

async function checkProject(name: string, options: ConfigCheckOptions): Promise<ProjectCheckReport> {
  const { workspace } = options;
  const project = requireProject(workspace, name);
  const results: CheckResult[] = [];
  const resolutions = new Map<EnvironmentName, ConfigResolution>();
  for (const environment of options.environments) {
    const current = environment === options.current;
    const resolution = await resolveConfig({
      workspace,
      project: name,
      environment,
      env: options.env,
      includeLocal: current,
      includeEnv: current,
    });
    resolutions.set(environment, resolution);
    results.push({ check: "validate", environment, ok: !resolution.errors.length, problems: resolution.errors });
  }

  if (options.environments.length > 1)
    results.push(checkParity(resolutions, workspace.root, project.config?.base, project.config?.environments ?? {}));

  const any = [...resolutions.values()][0];
  if (project.config?.example && isShopTemplate(project.config.example)) {
    const problems = checkTemplate(project.config.example, workspace.root, project.config.base);
    results.push({ check: "example", ok: !problems.length, problems });
  } else if (project.config?.example && any?.schema) {
    const file = relative(workspace.root, project.config.example);
    const expected = generateExample(any.schema);
    const problems: Problem[] = [];
    if (!existsSync(project.config.example)) {
      problems.push({ file, message: `example file is missing; run \`tradeops config example ${name} --write\`` });
    } else if (!isText(readTextFile(project.config.example), expected)) {
      problems.push({
        file,
        message: `example file is out of date with ${any.schema.file}; run \`tradeops config example ${name} --write\``,
      });
    }
    results.push({ check: "example", ok: !problems.length, problems });
  }

  if (any) {
    const docs = new Map<string, StructuredDocument>();
    for (const resolution of resolutions.values()) for (const [file, doc] of resolution.docs) docs.set(file, doc);
    const productionFiles = [project.config?.base, project.config?.environments.production].filter(
      (p): p is string => p !== undefined && existsSync(p),
    );
    results.push(checkPlaceholders(productionFiles, docs, any.isSensitive, workspace.root));
    results.push(checkFileModes([...docs.values()], any.isSensitive, workspace.root, dotenvFiles(project)));
  }
  return { project: name, ok: results.every((r) => r.ok), results };
}

/** Keys are compared as the committed files define them (base and overlay), whatever this machine overrides. */
function checkParity(
  resolutions: ReadonlyMap<EnvironmentName, ConfigResolution>,
  root: string,
  base: string | undefined,
  overlays: Partial<Record<EnvironmentName, string>>,
): CheckResult {
  const keysByEnv = new Map<EnvironmentName, Set<string>>();
  for (const [env, resolution] of resolutions) {
    const files = [base, overlays[env]].filter((f): f is string => f !== undefined).map((f) => relative(root, f));
    keysByEnv.set(env, new Set(files.flatMap((f) => leafKeys(resolution.docs.get(f)?.data))));
  }
  const all = new Set([...keysByEnv.values()].flatMap((k) => [...k]));
  const schema = [...resolutions.values()].find((r) => r.schema)?.schema;
  const problems: Problem[] = [];
  for (const key of [...all].sort()) {
    const having = [...keysByEnv].filter(([, keys]) => keys.has(key)).map(([env]) => env);
    const lacking = [...keysByEnv].filter(([, keys]) => !keys.has(key)).map(([env]) => env);
    if (!lacking.length) continue;
    const optional = schema ? optionalFor(schema.json, key) : undefined;
    const stillLacking = lacking.filter((env) => !(optional === true || optional?.includes(env)));
    if (!stillLacking.length) continue;
    const overlay = overlays[stillLacking[0]!];
    problems.push({
      file: overlay ? relative(root, overlay) : undefined,
      key,
      message: `set for ${having.join(", ")} but not for ${stillLacking.join(", ")}; set it in every environment or mark it optional (x-optional-in) in the schema`,
    });
  }
  return { check: "parity", ok: !problems.length, problems };
}

function optionalFor(
  json: import("../validation/json-schema.js").JsonSchema,
  key: string,
): readonly string[] | true | undefined {
  const parts = key.split(".");
  for (let i = parts.length; i > 0; i--) {
    for (const schema of schemasAt(json, parts.slice(0, i))) {
      const value = optionalIn(schema);
      if (value) return value;
    }
  }
  return undefined;
}

/** Files meant for production (the base file and the production overlay) must hold placeholders only. */
function checkPlaceholders(
  files: readonly string[],
  docs: ReadonlyMap<string, StructuredDocument>,
  isSensitive: (key: string) => boolean,
  root: string,
): CheckResult {
  const problems: Problem[] = [];
  for (const path of files) {
    const file = relative(root, path);
    const read = docs.has(file) ? undefined : readTextFile(path);
    if (read && !read.ok) continue; // the load reported it
    const doc = docs.get(file) ?? parseStructured(read?.ok ? read.text : "", file);
    if (doc.problems.length) continue;
    for (const key of leafKeys(doc.data)) {
      const value = valueAt(doc.data, key.split("."));
      const line = doc.locate(key.split("."), true)?.line;
      if (isSensitive(key) && !isPlaceholder(value)) {
        problems.push({
          file: doc.file,
          line,
          key,
          message:
            "literal secret in a file meant for production: write a placeholder such as FROM_SECRETS and declare a secret source",
        });
        continue;
      }
      const shape = typeof value === "string" ? KNOWN_SECRET_SHAPES.find((s) => s.pattern.test(value)) : undefined;
      if (shape) {
        problems.push({
          file: doc.file,
          line,
          key,
          message: `looks like a literal ${shape.name} in a file meant for production`,
        });
      }
    }
  }
  return { check: "placeholders", ok: !problems.length, problems };
}

/** The dotenv files that the project's secret sources read (`dotenv:FILE#KEY`), relative to the project. */
function dotenvFiles(project: Project): string[] {
  const files = Object.values(project.secrets).flatMap((perEnv) =>
    Object.values(perEnv).flatMap((chain) =>
      (chain?.sources ?? [])
        .filter((s) => s.startsWith("dotenv:"))
        .map((s) => resolve(project.dir, s.slice("dotenv:".length).replace(/#[^#]*$/, ""))),
    ),
  );
  return [...new Set(files)];
}

function checkFileModes(
  docs: readonly StructuredDocument[],
  isSensitive: (key: string) => boolean,
  root: string,
  envFiles: readonly string[],
): CheckResult {
  const problems: Problem[] = [];
  for (const path of envFiles) {
    const read = readTextFile(path);
    if (!read.ok || !/^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*\S/m.test(read.text)) continue;
    const mode = statSync(path).mode & 0o777;
    const file = relative(root, path);
    if (mode & 0o077) {
      problems.push({
        file,
        message: `env file with secrets is mode ${mode.toString(8).padStart(4, "0")}; run chmod 600 ${file}`,
      });
    }
  }
  for (const doc of docs) {
    const holdsSecret = leafKeys(doc.data).some(
      (key) => isSensitive(key) && !isPlaceholder(valueAt(doc.data, key.split("."))),
    );
    if (!holdsSecret) continue;
    const mode = statSync(`${root}/${doc.file}`).mode & 0o777;
    if (mode & 0o077) {
      problems.push({
        file: doc.file,
        message: `holds a secret but is mode ${mode.toString(8).padStart(4, "0")}; run chmod 600 ${doc.file}`,
      });
    }
  }
  return { check: "file-modes", ok: !problems.length, problems };
}

function isText(read: ReturnType<typeof readTextFile>, expected: string): boolean {
  return read.ok && read.text === expected;
}
