/**
 * Environment detection (SPEC §4): flag > variable (with aliases) > marker files > working directory >
 * hostname > default or refusal. Every rule is evaluated so that the answer can be explained; the first
 * rule that matched decides. Hostname, filesystem and process environment are injected.
 */
import { existsSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { TroError } from "../errors.js";
import type { DetectRules } from "../workspace/schema.js";
import { canonicalEnvironment, type EnvironmentName, knownEnvironmentNames, showableValue } from "./names.js";

export const DETECTION_SOURCES = ["flag", "variable", "marker", "path", "hostname", "default"] as const;
export type DetectionSource = (typeof DETECTION_SOURCES)[number];

export interface RuleEvaluation {
  readonly rule: DetectionSource;
  readonly matched: boolean;
  readonly environment?: EnvironmentName;
  readonly detail: string;
}

export interface Detection {
  readonly environment: EnvironmentName;
  readonly source: DetectionSource;
  readonly detail: string;
  readonly evaluated: readonly RuleEvaluation[];
  /** lower rules that pointed elsewhere, an ignored bad variable: worth showing, not fatal */
  readonly warnings: readonly string[];
}

export interface DetectOptions {
  readonly rules: DetectRules;
  /** environments the workspace declares; detecting any other is an error */
  readonly declared: readonly EnvironmentName[];
  /** `--env NAME` */
  readonly flag?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly workspaceRoot?: string;
  readonly hostname?: () => string;
  readonly exists?: (path: string) => boolean;
}

interface Candidate {
  readonly environment: EnvironmentName;
  readonly detail: string;
  readonly weight: number;
}

/**
 * Decides the environment and explains how.
 * @throws TroError TRO_ERR_USAGE (unknown --env), TRO_ERR_ENV_UNKNOWN (unknown variable value),
 *   TRO_ERR_ENV_UNDECLARED, TRO_ERR_ENV_AMBIGUOUS, TRO_ERR_ENV_REFUSED
 */
export function detectEnvironment(options: DetectOptions): Detection {
  const { rules } = options;
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = options.workspaceRoot ?? cwd;
  const exists = options.exists ?? existsSync;
  const aliases = rules.aliases;
  const evaluated: RuleEvaluation[] = [];
  const warnings: string[] = [];

  // 1. flag
  let flagEnv: EnvironmentName | undefined;
  if (options.flag !== undefined) {
    flagEnv = canonicalEnvironment(options.flag, aliases);
    if (!flagEnv) {
      const shown = showableValue("--env", options.flag.trim()) ? JSON.stringify(options.flag) : "(the value given)";
      throw new TroError("TRO_ERR_USAGE", `--env ${shown} is not a known environment.`, {
        hint: `Use one of: ${knownEnvironmentNames(aliases, options.declared).join(", ")}.`,
      });
    }
    evaluated.push({ rule: "flag", matched: true, environment: flagEnv, detail: `--env ${options.flag}` });
  } else {
    evaluated.push({ rule: "flag", matched: false, detail: "--env not given" });
  }

  // 2. variable
  const raw = env[rules.variable];
  if (raw === undefined || raw.trim() === "") {
    evaluated.push({ rule: "variable", matched: false, detail: `${rules.variable} is not set` });
  } else {
    const variableEnv = canonicalEnvironment(raw, aliases);
    if (!variableEnv) {
      // the variable may hold a secret by mistake (or name a secret variable): only a name-like value is echoed
      const shown = showableValue(rules.variable, raw.trim());
      const message = shown
        ? `${rules.variable}=${JSON.stringify(raw.trim())} is not a known environment.`
        : `${rules.variable} holds a value (${raw.trim().length} characters, not shown) that is not a known environment.`;
      if (!flagEnv) {
        throw new TroError("TRO_ERR_ENV_UNKNOWN", message, {
          hint: `Set ${rules.variable} to one of: ${knownEnvironmentNames(aliases, options.declared).join(", ")}.`,
        });
      }
      warnings.push(`${message} It was ignored because --env decided.`);
      evaluated.push({
        rule: "variable",
        matched: false,
        detail: shown ? `${rules.variable}=${raw.trim()} is not known` : `${rules.variable} holds an unknown value`,
      });
    } else {
      const via = raw.trim().toLowerCase() === variableEnv ? "" : ` (alias of ${variableEnv})`;
      evaluated.push({
        rule: "variable",
        matched: true,
        environment: variableEnv,
        detail: `${rules.variable}=${raw.trim()}${via}`,
      });
    }
  }

  // 3. marker files
  const markers: Candidate[] = [];
  const missing: string[] = [];
  for (const [environment, files] of entries(rules.markerFiles)) {
    for (const file of files) {
      const path = isAbsolute(file) ? file : resolve(root, file);
      if (exists(path)) markers.push({ environment, detail: `${path} exists`, weight: 1 });
      else missing.push(path);
    }
  }
  evaluated.push(
    decideRule(
      "marker",
      markers,
      missing.length ? `none of ${missing.join(", ")} exists` : "no marker files configured",
    ),
  );

  // 4. working directory / workspace path
  const places = [...new Set([resolve(cwd), resolve(root)])];
  const pathMatches: Candidate[] = [];
  for (const [environment, fragments] of entries(rules.pathContains)) {
    for (const fragment of fragments) {
      const place = places.find((p) => p.includes(fragment));
      if (place) pathMatches.push({ environment, detail: `${place} contains ${fragment}`, weight: fragment.length });
    }
  }
  const pathConfigured = Object.keys(rules.pathContains).length > 0;
  evaluated.push(
    decideRule(
      "path",
      pathMatches,
      pathConfigured
        ? `${places.join(" and ")} ${places.length > 1 ? "contain" : "contains"} no configured fragment`
        : "no path fragments configured",
    ),
  );

  // 5. hostname
  const host = (options.hostname ?? osHostname)();
  const hostMatches: Candidate[] = [];
  for (const [environment, fragments] of entries(rules.hostnameContains)) {
    for (const fragment of fragments) {
      if (host.toLowerCase().includes(fragment.toLowerCase())) {
        hostMatches.push({ environment, detail: `hostname ${host} contains ${fragment}`, weight: fragment.length });
      }
    }
  }
  const hostConfigured = Object.keys(rules.hostnameContains).length > 0;
  evaluated.push(
    decideRule(
      "hostname",
      hostMatches,
      hostConfigured ? `hostname ${host} contains no configured fragment` : "no hostname fragments configured",
    ),
  );

  // 6. default
  if (rules.default === "refuse") {
    evaluated.push({ rule: "default", matched: false, detail: "default: refuse" });
  } else {
    evaluated.push({ rule: "default", matched: true, environment: rules.default, detail: `default: ${rules.default}` });
  }

  const ambiguous = evaluated.find((e) => e.detail.startsWith("ambiguous:"));
  const decided = evaluated.find((e) => e.matched || e === ambiguous);
  if (decided === ambiguous && ambiguous) {
    throw new TroError("TRO_ERR_ENV_AMBIGUOUS", `Environment detection is ambiguous: ${ambiguous.detail.slice(11)}.`, {
      hint: `Make the ${ambiguous.rule} rules distinct in tradeops.yaml, or set ${rules.variable}.`,
    });
  }
  if (!decided?.environment) {
    throw new TroError(
      "TRO_ERR_ENV_REFUSED",
      "No environment detection rule matched and the workspace refuses to guess.",
      {
        hint: `Set ${rules.variable}=<environment> or pass --env <environment> (declared: ${options.declared.join(", ")}).`,
      },
    );
  }
  if (!options.declared.includes(decided.environment)) {
    throw new TroError(
      "TRO_ERR_ENV_UNDECLARED",
      `Environment ${decided.environment} (from ${decided.detail}) is not declared in this workspace.`,
      {
        hint: `Declared environments: ${options.declared.join(", ")}; add environments.${decided.environment} to tradeops.yaml.`,
      },
    );
  }
  for (const other of evaluated) {
    if (other !== decided && other.rule !== "default" && other.matched && other.environment !== decided.environment) {
      warnings.push(
        `${other.rule} rule points to ${other.environment} (${other.detail}) but ${decided.rule} decided ${decided.environment}.`,
      );
    }
  }
  return { environment: decided.environment, source: decided.rule, detail: decided.detail, evaluated, warnings };
}

/** The strongest candidate of one rule; two environments tied for strongest make the rule ambiguous. */
function decideRule(rule: DetectionSource, candidates: Candidate[], noMatch: string): RuleEvaluation {
  if (!candidates.length) return { rule, matched: false, detail: noMatch };
  const best = Math.max(...candidates.map((c) => c.weight));
  const top = candidates.filter((c) => c.weight === best);
  const envs = [...new Set(top.map((c) => c.environment))];
  if (envs.length > 1) {
    return {
      rule,
      matched: false,
      detail: `ambiguous: ${top.map((c) => `${c.detail} → ${c.environment}`).join("; ")}`,
    };
  }
  return { rule, matched: true, environment: top[0]!.environment, detail: top[0]!.detail };
}

function entries(table: Partial<Record<EnvironmentName, string[]>>): [EnvironmentName, string[]][] {
  return Object.entries(table).filter((e): e is [EnvironmentName, string[]] => Array.isArray(e[1]));
}
