/** Sensitive config values replaced by a marker that says where the value came from, never what it is. */
import { isPlainObject, type Origin, originOf, type ResolvedConfig } from "./load.js";

export function describeOrigin(origin: Origin | undefined): string {
  if (!origin) return "unknown";
  if (origin.variable) return `env ${origin.variable}`;
  if (origin.layer === "default") return "default";
  return origin.file ? `${origin.file}${origin.line ? `:${origin.line}` : ""}` : origin.layer;
}

export function redactionMarker(origin: Origin | undefined): string {
  return `[redacted: ${describeOrigin(origin)}]`;
}

/** A deep copy of the config with every sensitive value replaced by its redaction marker. */
export function redactConfig(config: ResolvedConfig): Record<string, unknown> {
  const walk = (value: unknown, key: string): unknown => {
    if (key && config.isSensitive(key))
      return value === undefined ? value : redactionMarker(originOf(config.provenance, key));
    if (isPlainObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, key ? `${key}.${k}` : k)]));
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${key}.${i}`));
    return value;
  };
  return walk(config.values, "") as Record<string, unknown>;
}

/** Every sensitive string value with its key, for the output scrubber. */
export function sensitiveValues(config: ResolvedConfig): { key: string; value: string }[] {
  const found: { key: string; value: string }[] = [];
  const walk = (value: unknown, key: string, inherited: boolean) => {
    const sensitive = inherited || (key !== "" && config.isSensitive(key));
    if (typeof value === "string" && sensitive) found.push({ key, value });
    else if (isPlainObject(value))
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k, sensitive);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${key}.${i}`, sensitive);
    }
  };
  walk(config.values, "", false);
  return found;
}
