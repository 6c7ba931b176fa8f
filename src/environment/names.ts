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
  const lowered = Object.fromEntries(Object.entries(aliases).map(([k, v]) => [k.toLowerCase(), v]));
  return lowered[value] ?? BUILTIN_ALIASES[value];
}

/** Every name that maps onto an environment, for "did you mean" hints and help texts. */
export function knownEnvironmentNames(aliases: Readonly<Record<string, EnvironmentName>> = {}): string[] {
  return [...new Set([...ENVIRONMENTS, ...Object.keys(BUILTIN_ALIASES), ...Object.keys(aliases)])];
}
