/**
 * `init`'s reading of an existing repository: which directories are deployable projects (package.json,
 * pyproject.toml, requirements.txt, Dockerfile, Procfile, systemd units, config.json + example), what each
 * reads from its environment, and the facts a manifest needs (ports, commands, env layers, units).
 */
import { basename, posix } from "node:path";
import { isDotenvFile } from "../config/dotenv-layer.js";
import { canonicalEnvironment, type EnvironmentName } from "../environment/names.js";
import { commandsFor } from "./commands.js";
import { isFlagName } from "./conventions.js";
import { findPort, type Heartbeat, heartbeatOf, persistentPaths, runsALoop, staticOutputDir } from "./runtime.js";
import { dotenvKeys, isCodeFile, listFiles, readText, variablesReadAt } from "./scan.js";
import { type SecretFinding, secretOnCommandLine, secretsInCode, secretsInConfig, secretsInDotenv } from "./secrets.js";

export type ProjectKind = "service" | "strategy" | "worker" | "frontend" | "library";

export interface EnvFile {
  /** relative to the repository root */
  readonly file: string;
  readonly environment: EnvironmentName;
  readonly keys: readonly string[];
}

export interface SystemdUnit {
  readonly file: string;
  readonly workingDirectory?: string;
  readonly execStart?: string;
  /** `Environment=NAME=value` lines (the environment's name as the unit spells it; never a secret's value) */
  readonly environment: Readonly<Record<string, string>>;
}

export interface DetectedProject {
  readonly name: string;
  /** relative to the repository root; `.` for a repository that is one project */
  readonly path: string;
  readonly kind: ProjectKind;
  readonly language: "python" | "node" | "other";
  /** the files that made this directory a project */
  readonly evidence: readonly string[];
  readonly commands: Readonly<Record<string, string>>;
  readonly port?: number;
  readonly portFrom?: string;
  /** environment variables its code reads */
  readonly variables: readonly string[];
  /** dotenv layers that belong to it (its own, or the repository's when the code reads their keys) */
  readonly envFiles: readonly EnvFile[];
  /** config.json and its committed template, relative to the project */
  readonly config?: { readonly local?: string; readonly example?: string };
  /** every place a secret was seen: code reading it, a dotenv key, a config key (names and lines, never values) */
  readonly secrets: readonly SecretFinding[];
  /** switches its code reads from the environment (`USE_ARCHIVED_DATA`, `DRY_RUN`), first read of each */
  readonly flags: readonly { readonly name: string; readonly file: string; readonly line: number }[];
  /** the start command found passes a secret on its command line (`--api-key`): left out of the proposal */
  readonly startSecret?: string;
  /** a static frontend: the directory its build writes */
  readonly outputDir?: string;
  /** a worker's heartbeat file, when its code writes one */
  readonly heartbeat?: Heartbeat;
  /** `data/`, `logs/` … kept across releases */
  readonly persist: readonly string[];
  readonly units: readonly SystemdUnit[];
  readonly deployScripts: readonly string[];
}

export interface RepositoryFacts {
  readonly files: readonly string[];
  readonly projects: readonly DetectedProject[];
  /** code several projects import (a top-level `src/`, `packages/*`, `shared/`, `common/`) */
  readonly shared: readonly string[];
  /** dotenv layers at the root of the repository */
  readonly rootEnvFiles: readonly EnvFile[];
  /** secrets in the root's dotenv files that no project's code reads */
  readonly unclaimedSecrets: readonly SecretFinding[];
}

const MARKERS =
  /^(package\.json|pyproject\.toml|requirements\.txt|setup\.py|Dockerfile|Procfile|config\.json(\.example)?|[^/]+\.service)$/;
/** Folders that hold how a project is deployed rather than a project of their own. */
const DEPLOY_DIRS = new Set(["aws_deployment", "deployment", "deploy", "systemd", "docker", "ops", "scripts"]);
const ENV_FILE = /^\.env\.([a-z]+)$|^env\.([a-z]+)$/;

/** Which environment a dotenv file is for: `.env.dev` → development, `.env.prod` → production. */
export function envFileEnvironment(file: string): EnvironmentName | undefined {
  const name = basename(file);
  if (name === ".env") return "development";
  const m = name.match(ENV_FILE);
  const suffix = m?.[1] ?? m?.[2];
  if (!suffix || ["example", "sample", "template", "local", "unified", "defaults"].includes(suffix)) return undefined;
  return canonicalEnvironment(suffix);
}

export function detectRepository(root: string): RepositoryFacts {
  const files = listFiles(root);
  const owners = new Set<string>();
  for (const file of files) {
    if (!MARKERS.test(basename(file))) continue;
    let dir = posix.dirname(file);
    while (dir !== "." && DEPLOY_DIRS.has(basename(dir))) dir = posix.dirname(dir);
    owners.add(dir);
  }
  const nonRoot = [...owners].filter((d) => d !== ".");
  // the outermost directory wins; the root is a project only when nothing below it is
  const dirs = nonRoot.length
    ? nonRoot.filter((d) => !nonRoot.some((o) => o !== d && d.startsWith(`${o}/`))).sort()
    : owners.has(".")
      ? ["."]
      : [];
  const rootEnvFiles = envFilesIn(root, files, ".");
  const shared = ["src", "shared", "common", "lib", "packages/shared"].filter(
    (s) => nonRoot.length > 0 && !dirs.includes(s) && files.some((f) => f.startsWith(`${s}/`) && isCodeFile(f)),
  );
  const projects = dirs.map((dir) => detectProject(root, files, dir, dirs, rootEnvFiles));
  const claimed = new Set(projects.flatMap((p) => p.secrets.map((f) => f.name)));
  const unclaimedSecrets = dirs.includes(".")
    ? []
    : dotenvFilesIn(files, ".")
        .flatMap((f) => secretsInDotenv(root, f))
        .filter((f) => !claimed.has(f.name));
  return { files, projects, shared, rootEnvFiles, unclaimedSecrets };
}

const inside = (file: string, dir: string) => dir === "." || file.startsWith(`${dir}/`);
const rel = (file: string, dir: string) => (dir === "." ? file : file.slice(dir.length + 1));

/** Dotenv files of a directory (and of its deployment folders), templates included. */
function dotenvFilesIn(files: readonly string[], dir: string): string[] {
  return files.filter((f) => {
    const parent = posix.dirname(f);
    const here = parent === dir || (posix.dirname(parent) === dir && DEPLOY_DIRS.has(basename(parent)));
    return here && isDotenvFile(f);
  });
}

function envFilesIn(root: string, files: readonly string[], dir: string): EnvFile[] {
  return files
    .filter((f) => {
      const parent = posix.dirname(f);
      return parent === dir || (posix.dirname(parent) === dir && DEPLOY_DIRS.has(basename(parent)));
    })
    .flatMap((file) => {
      const environment = envFileEnvironment(file);
      return environment ? [{ file, environment, keys: dotenvKeys(readText(root, file)) }] : [];
    });
}

function detectProject(
  root: string,
  files: readonly string[],
  dir: string,
  all: readonly string[],
  rootEnvFiles: readonly EnvFile[],
): DetectedProject {
  const own = files.filter((f) => inside(f, dir) && !all.some((o) => o !== dir && inside(f, o)));
  const names = own.map((f) => rel(f, dir));
  const has = (name: string) => names.includes(name);
  const find = (pattern: RegExp) => names.filter((n) => pattern.test(n));
  const evidence = own.filter((f) => MARKERS.test(basename(f)));
  const pkg = has("package.json")
    ? (parseJson(readText(root, `${prefix(dir)}package.json`)) as PackageJson)
    : undefined;
  const python = has("requirements.txt") || has("pyproject.toml") || has("setup.py") || find(/\.py$/).length > 0;
  const language = pkg ? "node" : python ? "python" : "other";

  const variables = new Set<string>();
  const secrets: SecretFinding[] = [];
  const flags: { name: string; file: string; line: number }[] = [];
  let code = "";
  for (const f of own.filter(isCodeFile)) {
    const text = readText(root, f);
    code += `${text}\n`;
    const reads = variablesReadAt(text);
    secrets.push(...secretsInCode(f, reads));
    for (const v of reads) {
      variables.add(v.name);
      if (isFlagName(v.name) && !flags.some((x) => x.name === v.name))
        flags.push({ name: v.name, file: f, line: v.line });
    }
  }
  const ownEnv = envFilesIn(root, files, dir);
  const sharedEnv = dir === "." ? [] : rootEnvFiles.filter((e) => e.keys.some((k) => variables.has(k)));
  const envFiles = [...ownEnv, ...sharedEnv.filter((e) => !ownEnv.some((o) => o.file === e.file))];
  for (const f of dotenvFilesIn(files, dir)) secrets.push(...secretsInDotenv(root, f));
  if (dir !== ".")
    for (const f of dotenvFilesIn(files, "."))
      secrets.push(...secretsInDotenv(root, f).filter((s) => variables.has(s.name)));

  const units = find(/\.service$/).map((n) => parseUnit(root, `${prefix(dir)}${n}`));
  const deployScripts = find(/(^|\/)(deploy[^/]*\.sh|[^/]*deploy[^/]*\.sh)$/).map((n) => `${prefix(dir)}${n}`);
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
  const frontend = Boolean(pkg && ["vite", "react", "vue", "svelte", "next", "@angular/core"].some((d) => d in deps));
  const strategyHint =
    /strateg/i.test(dir) || find(/strategy[^/]*\.(py|ts|js)$/).length > 0 || /\b(alpaca|ccxt|backtrader)\b/i.test(code);
  const serverHint = /\b(FastAPI|Flask|uvicorn|express|fastify|http\.createServer)\b/.test(code);
  const port = findPort(root, dir, names, envFiles, code);
  const heartbeat = heartbeatOf(code);
  const procfile = has("Procfile") ? readText(root, `${prefix(dir)}Procfile`) : "";
  const workerHint = runsALoop(code) || Boolean(heartbeat) || (/^worker:/m.test(procfile) && !/^web:/m.test(procfile));
  const kind: ProjectKind = frontend
    ? "frontend"
    : strategyHint && !serverHint
      ? "strategy"
      : !serverHint && !port && workerHint
        ? "worker"
        : "service";

  const config = findConfig(names);
  for (const file of [config?.example, config?.local].filter((f): f is string => Boolean(f)))
    secrets.push(...secretsInConfig(root, `${prefix(dir)}${file}`));
  const outputDir = frontend && pkg ? staticOutputDir(root, dir, names, pkg) : undefined;
  const commands = commandsFor({ root, dir, names, pkg, language, units, kind, code, port: port?.port });
  // a static build is served as files: its dev server is no start command
  if (outputDir) delete commands.start;
  // a start command that passes a secret as an argument is not copied into the manifest
  const startSecret = commands.start ? secretOnCommandLine(commands.start) : undefined;
  if (startSecret) delete commands.start;
  return {
    name: projectName(dir, root, units),
    path: dir,
    kind,
    language,
    evidence,
    commands,
    ...(port ? { port: port.port, portFrom: port.from } : {}),
    variables: [...variables],
    envFiles,
    ...(config ? { config } : {}),
    secrets,
    flags,
    ...(startSecret ? { startSecret } : {}),
    ...(outputDir ? { outputDir } : {}),
    ...(heartbeat && kind !== "frontend" ? { heartbeat } : {}),
    persist: kind === "frontend" ? [] : persistentPaths(names, code),
    units,
    deployScripts,
  };
}

export interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export const prefix = (dir: string) => (dir === "." ? "" : `${dir}/`);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function projectName(dir: string, root: string, units: readonly SystemdUnit[]): string {
  const raw = dir === "." ? (units[0] ? basename(units[0].file, ".service") : basename(root)) : basename(dir);
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "app"
  );
}

function parseUnit(root: string, file: string): SystemdUnit {
  const text = readText(root, file);
  const get = (key: string) => text.match(new RegExp(`^${key}=(.+)$`, "m"))?.[1]?.trim();
  const environment: Record<string, string> = {};
  for (const m of text.matchAll(/^Environment=["']?([A-Z][A-Z0-9_]*)=([^"'\s]*)/gm))
    if (/(^|_)(ENVIRONMENT|ENV|STAGE)$/.test(m[1]!)) environment[m[1]!] = m[2]!;
  return { file, workingDirectory: get("WorkingDirectory"), execStart: get("ExecStart"), environment };
}

function findConfig(names: readonly string[]): DetectedProject["config"] {
  const example = names.find((n) => /(^|\/)config\.json\.(example|sample|template)$/.test(n));
  const local = names.find((n) => /(^|\/)config\.json$/.test(n));
  if (!example && !local) return undefined;
  return { ...(local ? { local } : {}), ...(example ? { example } : {}) };
}
