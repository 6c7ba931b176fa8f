/**
 * The client side of `tradeops health`: asks a service for its level 1, 2 and 3 reports in parallel and
 * turns them into one flat list of named checks. 100 % means every check is healthy; degraded counts as
 * not passing. What comes back is sanitized like what goes out: names and codes only.
 */
import { DEEP_REQUEST_MARGIN_MS, type HealthTarget } from "./targets.js";
import { codeOfError, type HealthStatus, isValidName, sanitizeCode, worst } from "./types.js";

export type HealthLevel = 1 | 2 | 3;

export interface ProbeCheck {
  /** `health`, `detailed`, `component:NAME`, `deep` or `check:NAME` */
  readonly name: string;
  readonly level: HealthLevel;
  readonly status: HealthStatus;
  readonly error_code: string | null;
}

export interface ProbeResult {
  readonly project: string;
  readonly url: string;
  readonly level: HealthLevel;
  readonly status: HealthStatus;
  readonly passing: number;
  readonly total: number;
  readonly checks: ProbeCheck[];
  /** who answered, when the service says (a tradeops node's `instance` in its level-1 body) */
  readonly instance?: Readonly<Record<string, unknown>>;
}

export interface ProbeOptions {
  readonly level: HealthLevel;
  /** level 3 as a command (the manifest's `health.deepCommand`): resolves to its exit code; replaces the GET */
  readonly deepCommand?: () => Promise<number>;
  /** bearer token for level 3 on a remote host (a service answers level 3 to loopback callers without one) */
  readonly token?: string;
}

const ALIASES: Record<string, HealthStatus> = {
  healthy: "healthy",
  pass: "healthy",
  ok: "healthy",
  up: "healthy",
  degraded: "degraded",
  warn: "degraded",
  unhealthy: "unhealthy",
  fail: "unhealthy",
  error: "unhealthy",
  down: "unhealthy",
};

function statusOf(value: unknown): HealthStatus | undefined {
  return typeof value === "string" ? ALIASES[value.toLowerCase()] : undefined;
}

type Fetched = { ok: true; http: number; body: Record<string, unknown> } | { ok: false; code: string };

async function get(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Fetched> {
  try {
    const res = await fetch(url, {
      headers: { accept: "application/json", ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, code: res.status === 200 || res.status === 503 ? "BAD_RESPONSE" : `HTTP_${res.status}` };
    }
    if (typeof body !== "object" || body === null) return { ok: false, code: "BAD_RESPONSE" };
    return { ok: true, http: res.status, body: body as Record<string, unknown> };
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, code: "TIMEOUT" };
    const code = codeOfError((error as Error)?.cause);
    return { ok: false, code: code === "ERROR" ? "UNREACHABLE" : code };
  }
}

/** The overall check of one endpoint: its status field, made no better than its HTTP code allows. */
function overall(name: string, level: HealthLevel, f: Fetched): ProbeCheck {
  if (!f.ok) return { name, level, status: "unhealthy", error_code: f.code };
  if (f.http !== 200 && f.http !== 503) return { name, level, status: "unhealthy", error_code: `HTTP_${f.http}` };
  let status = statusOf(f.body.status) ?? "unhealthy";
  if (f.http === 503) status = "unhealthy";
  const code = status === "healthy" ? null : statusOf(f.body.status) ? "UNHEALTHY" : "BAD_RESPONSE";
  return { name, level, status, error_code: status === "degraded" ? "DEGRADED" : code };
}

/** One check per entry of `components` or `checks`, or the endpoint as a whole when it has none. */
function itemized(name: string, prefix: string, key: string, level: HealthLevel, f: Fetched): ProbeCheck[] {
  const items = f.ok ? f.body[key] : undefined;
  if (!f.ok || typeof items !== "object" || items === null || Object.keys(items).length === 0) {
    return [overall(name, level, f)];
  }
  return Object.entries(items as Record<string, { status?: unknown; error_code?: unknown }>).map(([item, v]) => {
    const status = statusOf(v?.status) ?? "unhealthy";
    const code =
      status === "healthy" ? null : sanitizeCode(v?.error_code, status === "degraded" ? "DEGRADED" : "UNHEALTHY");
    return { name: `${prefix}:${isValidName(item) ? item : "unnamed"}`, level, status, error_code: code };
  });
}

/** Checks one service endpoint set at `level`; never throws, every failure is a named failing check. */
export async function probeHealth(target: HealthTarget, options: ProbeOptions): Promise<ProbeResult> {
  const { url, paths, timeoutMs } = target;
  const deepHeaders: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const [l1, l2, l3] = await Promise.all([
    get(url + paths.level1, timeoutMs),
    options.level >= 2 ? get(url + paths.level2, timeoutMs) : undefined,
    options.level >= 3 && !options.deepCommand
      ? get(url + paths.level3, timeoutMs + DEEP_REQUEST_MARGIN_MS, deepHeaders)
      : undefined,
  ]);
  const checks: ProbeCheck[] = [overall("health", 1, l1)];
  // a 404 says the service serves no such level (a plain HTTP service with one endpoint), not that it is broken
  const notOffered = (f: Fetched): Fetched | undefined =>
    (f.ok && f.http === 404) || (!f.ok && f.code === "HTTP_404") ? { ok: false, code: "NOT_OFFERED" } : undefined;
  if (l2) checks.push(...itemized("detailed", "component", "components", 2, notOffered(l2) ?? l2));
  if (l3) {
    const refused: Fetched | undefined = l3.ok && l3.http === 401 ? { ok: false, code: "UNAUTHORIZED" } : undefined;
    checks.push(...itemized("deep", "check", "checks", 3, notOffered(l3) ?? refused ?? l3));
  }
  if (options.level >= 3 && options.deepCommand) checks.push(await commandCheck(options.deepCommand));
  const passing = checks.filter((c) => c.status === "healthy").length;
  const status = checks.reduce<HealthStatus>((s, c) => worst(s, c.status), "healthy");
  const instance = l1.ok && typeof l1.body.instance === "object" && l1.body.instance ? l1.body.instance : undefined;
  return {
    project: target.project,
    url,
    level: options.level,
    status,
    passing,
    total: checks.length,
    checks,
    ...(instance ? { instance: instance as Record<string, unknown> } : {}),
  };
}

/** `health.deepCommand` as one level-3 check: exit 0 passes; the exit code is the error code, never its output. */
async function commandCheck(run: () => Promise<number>): Promise<ProbeCheck> {
  try {
    const code = await run();
    return code === 0
      ? { name: "deep:command", level: 3, status: "healthy", error_code: null }
      : { name: "deep:command", level: 3, status: "unhealthy", error_code: `EXIT_${code}` };
  } catch {
    return { name: "deep:command", level: 3, status: "unhealthy", error_code: "COMMAND_FAILED" };
  }
}
