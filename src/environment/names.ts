/** Canonical environment names, in promotion order. */
export const ENVIRONMENTS = ["development", "test", "staging", "production"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Aliases every workspace understands; a manifest may add more. */
export const BUILTIN_ALIASES: Readonly<Record<string, EnvironmentName>> = Object.freeze({
  dev: "development",
  develop: "development",
  local: "development",
  testing: "test",
  ci: "test",
  stage: "staging",
  stg: "staging",
  prod: "production",
  prd: "production",
});

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

/**
 * Maps a raw name (any case, surrounding spaces ignored) to its canonical environment through the
 * built-in and workspace aliases; `undefined` when it is not a known name.
 */
export function canonicalEnvironment(
  raw: string,
  aliases: Readonly<Record<string, EnvironmentName>> = {},
): EnvironmentName | undefined {
  const value = raw.trim().toLowerCase();
  if (isEnvironmentName(value)) return value;
  // own keys only: `__proto__` or `constructor` must not find Object.prototype's members
  const lowered = new Map(Object.entries(aliases).map(([k, v]) => [k.toLowerCase(), v]));
  return lowered.get(value) ?? (Object.hasOwn(BUILTIN_ALIASES, value) ? BUILTIN_ALIASES[value] : undefined);
}

/**
 * A value that may be shown back in a message: short, word-like (a key or token has long runs of digits or
 * mixed case), and not from a variable named like a secret.
 */
export function showableValue(variable: string, value: string): boolean {
  return (
    /^[A-Za-z_][A-Za-z0-9_.-]{0,19}$/.test(value) &&
    (value.match(/\d/g)?.length ?? 0) < 4 &&
    !/KEY|SECRET|TOKEN|PASS|CREDENTIAL|AUTH/i.test(variable)
  );
}

/**
 * Every name that maps onto an environment, for "did you mean" hints and help texts; with `declared`, only the
 * names of the environments a workspace declares (a name it would then refuse is no help).
 */
export function knownEnvironmentNames(
  aliases: Readonly<Record<string, EnvironmentName>> = {},
  declared: readonly EnvironmentName[] = ENVIRONMENTS,
): string[] {
  const names = [...new Set([...ENVIRONMENTS, ...Object.keys(BUILTIN_ALIASES), ...Object.keys(aliases)])];
  return names.filter((name) => declared.includes(canonicalEnvironment(name, aliases)!));
}
