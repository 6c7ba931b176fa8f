/**
 * `${VAR}` in a secret source (`aws-ssm:/magellan/alpaca/${ALPACA_ACCOUNT_ID}/API_KEY`): expanded from the
 * process environment, then from the project's config (by exported variable name or dotted key), so one
 * chain serves every account. A variable that is nowhere set stops with its name, never a half-built path.
 */
import { exportedConfig } from "../config/export.js";
import { isPlainObject } from "../config/load.js";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Project } from "../workspace/types.js";

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_.]*)\}/g;

export interface ExpandContext {
  readonly project: Project;
  readonly environment: EnvironmentName;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the project's merged config values */
  readonly config?: unknown;
}

/** Whether a source uses `${…}`. */
export function hasVariables(raw: string): boolean {
  return raw.includes("${");
}

/**
 * The source with every `${VAR}` replaced.
 * @throws TroError TRO_ERR_SECRET_UNRESOLVED (exit 78) naming the secret, the source and the missing variable
 */
export function expandSource(secret: string, raw: string, ctx: ExpandContext): string {
  if (!hasVariables(raw)) return raw;
  const config = isPlainObject(ctx.config) ? ctx.config : {};
  const exported = exportedConfig(ctx.project, config);
  const missing: string[] = [];
  const expanded = raw.replace(VARIABLE, (_, name: string) => {
    const value = ctx.env[name] || exported[name] || scalarAt(config, name);
    if (!value) missing.push(name);
    return value ?? "";
  });
  if (missing.length) {
    const names = missing.map((m) => `\${${m}}`).join(", ");
    throw new TroError(
      "TRO_ERR_SECRET_UNRESOLVED",
      `secret ${secret} of ${ctx.project.name}: source ${raw} uses ${names}, which ${missing.length > 1 ? "are" : "is"} set neither in the environment nor in the project's config (${ctx.environment}).`,
      { hint: `Set ${missing.join(", ")} in the environment, or add it to the config of ${ctx.project.name}.` },
    );
  }
  return expanded;
}

function scalarAt(config: Record<string, unknown>, dotted: string): string | undefined {
  let current: unknown = config;
  for (const part of dotted.split(".")) current = isPlainObject(current) ? current[part] : undefined;
  return typeof current === "string" || typeof current === "number" ? String(current) : undefined;
}
