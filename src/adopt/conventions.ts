/** The shop's conventions a proposal keeps: its own spelling of the environment, where each project runs and what persists. */
import type { EnvironmentName } from "../environment/names.js";
import type { DetectedProject, RepositoryFacts } from "./detect.js";
import { dotenvValue, readText } from "./scan.js";

/** Variables that name the environment (`BASIS_ENVIRONMENT`, `ENVIRONMENT`, `APP_ENV`), and those that do not. */
export const ENV_VARIABLE = /(^|_)(ENVIRONMENT|ENV|STAGE)$/;
/**
 * Switches read from the environment: `USE_ARCHIVED_DATA`, `ENABLE_X`, `X_ENABLED`, `DRY_RUN`. Paper or live is not
 * one of them: that is the account bound per environment (`accounts`), with its guards.
 */
const FLAG = /^(USE|ENABLE|DISABLE|SKIP)_|_(ENABLED|DISABLED)$|(^|_)DRY_RUN$/;
export const isFlagName = (name: string) => FLAG.test(name);

export const NOT_DETECTION = new Set([
  "NODE_ENV",
  "FLASK_ENV",
  "RAILS_ENV",
  "APP_ENV_FILE",
  "PYTHON_ENV",
  "VIRTUAL_ENV",
]);

/** Commented `targets.production` entries to complete: the unit's directory as the path, the paths to persist. */
export function targetsSnippet(facts: RepositoryFacts, names: readonly string[]): string[] {
  const dirs = facts.projects.map((p) => p.units.find((u) => u.workingDirectory)?.workingDirectory);
  const lines = facts.projects.flatMap((p, i) => {
    if (p.kind === "library") return [];
    // projects run from one checkout (Magellan's strategies) each get their own base path below it
    const dir = dirs[i];
    const path = !dir ? `/srv/${names[i]}` : dirs.filter((d) => d === dir).length > 1 ? `${dir}/${names[i]}` : dir;
    const persist = p.persist.length ? `, persist: [${p.persist.join(", ")}]` : "";
    return [`#     ${names[i]}: { hosts: [user@host], path: ${path}${persist} }`];
  });
  return lines.length
    ? ["", "# Where each project runs (fill in the hosts, then uncomment):", "# targets:", "#   production:", ...lines]
    : [];
}

/**
 * The shop's own variable and spelling of the environment (`BASIS_ENVIRONMENT=dev`), when the project reads it and
 * the dotenv layers or the units spell an environment otherwise than tradeops (or the variable is not the detection one).
 */
export function environmentVariableOf(
  p: DetectedProject,
  detectVariable: string | undefined,
  root: string,
): Record<string, unknown> | undefined {
  const name = p.variables.find((v) => ENV_VARIABLE.test(v) && !NOT_DETECTION.has(v));
  if (!name) return undefined;
  const values: Partial<Record<EnvironmentName, string>> = {};
  for (const e of p.envFiles.filter((f) => f.keys.includes(name))) {
    const value = dotenvValue(readText(root, e.file), name);
    if (value) values[e.environment] ??= value;
  }
  for (const u of p.units) {
    const value = u.environment[name];
    if (value) values.production ??= value;
  }
  const respelled = Object.entries(values).some(([env, value]) => value !== env);
  if (!respelled && name === detectVariable) return undefined;
  return { name, ...(Object.keys(values).length ? { values } : {}) };
}

const LEVELS: Readonly<Record<string, string>> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  fatal: "fatal",
  critical: "fatal",
};

/**
 * The variable the project reads its log level from (`BASIS_LOG_LEVEL`) and the shop's spelling of each level
 * (`DEBUG`), from the dotenv layers; undefined when it reads `LOG_LEVEL` spelled as tradeops spells it.
 */
export function logLevelVariableOf(p: DetectedProject, root: string): Record<string, unknown> | undefined {
  const name = p.variables.find((v) => /(^|_)LOG_?LEVEL$/.test(v));
  if (!name) return undefined;
  const values: Record<string, string> = {};
  for (const e of p.envFiles.filter((f) => f.keys.includes(name))) {
    const value = dotenvValue(readText(root, e.file), name);
    const level = value ? LEVELS[value.toLowerCase()] : undefined;
    if (value && level && value !== level) values[level] ??= value;
  }
  if (name === "LOG_LEVEL" && !Object.keys(values).length) return undefined;
  return { name, ...(Object.keys(values).length ? { values } : {}) };
}

/** A switch the code reads from the environment: how it gets a value per environment (a config key exported under its name). */
export function flagToFill(project: string, flag: DetectedProject["flags"][number], exported: boolean): string {
  const key = flag.name.toLowerCase();
  const how = exported
    ? `give \`${key}\` a value in an overlay per environment (projects.${project}.config.environments); config.export.names already exports it as ${flag.name}`
    : `give projects.${project} a config block with \`${key}\` in an overlay per environment and config.export.names: {${key}: ${flag.name}}`;
  return `${flag.name} (${flag.file}:${flag.line}) is a switch read from the environment: ${how}`;
}
