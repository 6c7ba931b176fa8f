/**
 * The component registry behind level 2. Components declare dependencies and start in that order, failing
 * fast; afterwards each reports samples (pushed by a background monitor, or read from memory on request).
 * Evaluating never awaits: a missing sample, an expired one or a failed start all count as unhealthy.
 */
import { TroError } from "../errors.js";
import { dependencyOrder } from "./order.js";
import { withTimeout } from "./timeout.js";
import {
  type Clock,
  type ComponentSample,
  codeOfError,
  HEALTH_STATUSES,
  type HealthStatus,
  isValidName,
  sanitizeCode,
  systemClock,
} from "./types.js";

/** How long one component may take to start before start-up fails. */
export const INIT_TIMEOUT_MS = 30_000;

export interface ComponentSpec {
  readonly name: string;
  /** a failing critical component makes the service unhealthy; a non-critical one degraded (default true) */
  readonly critical?: boolean;
  readonly dependsOn?: readonly string[];
  /**
   * makes the component monitored: until a first sample it is failing (`NOT_SAMPLED`), and a sample older
   * than this counts as failing (`STALE`: the monitor that should refresh it has stopped). Without it, a
   * component that was never reported is healthy once started (its readiness is `initialized`).
   */
  readonly maxAgeMs?: number;
  readonly initTimeoutMs?: number;
  readonly init?: (signal: AbortSignal) => Promise<void> | void;
  /** an in-memory read on every level-2 request; it must not do I/O (a returned promise counts as failing) */
  readonly read?: (now: number) => ComponentSample;
}

/** Component lifecycle: the only transitions `initAll` makes. */
export const COMPONENT_TRANSITIONS = {
  registered: ["initializing"],
  initializing: ["ready", "failed"],
  ready: [],
  failed: [],
} as const;
export type ComponentState = keyof typeof COMPONENT_TRANSITIONS;

/** One component as level 2 shows it (the seeds' shape), plus what aggregation and metrics need. */
export interface ComponentReport {
  readonly name: string;
  readonly status: HealthStatus;
  readonly error_code: string | null;
  readonly readiness_checks: Readonly<Record<string, boolean>>;
  readonly critical: boolean;
  readonly sampledAt: number | undefined;
}

interface Entry {
  readonly spec: ComponentSpec;
  state: ComponentState;
  failure?: string;
  last?: ComponentSample & { readonly at: number };
}

export class HealthRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  /** Adds a component. @throws TRO_ERR_INTERNAL on a duplicate or malformed name */
  register(spec: ComponentSpec): void {
    if (!isValidName(spec.name)) {
      throw new TroError("TRO_ERR_INTERNAL", `component name "${spec.name}" is not a valid name`, {
        hint: "Use letters, digits, `_`, `.`, `:`, `/` or `-`, without spaces.",
      });
    }
    if (this.#entries.has(spec.name)) {
      throw new TroError("TRO_ERR_INTERNAL", `component "${spec.name}" is registered twice`);
    }
    this.#entries.set(spec.name, { spec, state: "registered" });
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Stores a component's latest sample (what background monitors call). @throws TRO_ERR_INTERNAL */
  report(name: string, sample: ComponentSample): void {
    const entry = this.#entries.get(name);
    if (!entry) throw new TroError("TRO_ERR_INTERNAL", `component "${name}" is not registered`);
    ensureCheckNames(name, sample);
    entry.last = { ...sample, at: sample.at ?? this.#clock.now() };
  }

  /**
   * Starts every component not started yet, dependencies first, one at a time; stops at the first failure.
   * @throws TRO_ERR_INTERNAL for unknown dependencies or cycles; TRO_ERR_SERVICE_START when a component fails
   */
  async initAll(): Promise<void> {
    const order = dependencyOrder(
      [...this.#entries.values()].map((e) => ({
        name: e.spec.name,
        dependsOn: e.spec.dependsOn ?? [],
      })),
    );
    for (const name of order) {
      const entry = this.#entries.get(name)!;
      if (entry.state !== "registered") {
        if (entry.state === "failed") throw initFailure(name, entry.failure ?? "INIT_FAILED");
        continue;
      }
      entry.state = "initializing";
      const init = entry.spec.init;
      const result = init ? await withTimeout(init, entry.spec.initTimeoutMs ?? INIT_TIMEOUT_MS) : undefined;
      if (result && !result.ok) {
        entry.state = "failed";
        entry.failure = result.timedOut ? "INIT_TIMEOUT" : codeOfError(result.error);
        throw initFailure(name, entry.failure, result.timedOut ? undefined : result.error);
      }
      entry.state = "ready";
    }
  }

  /** Every component's report at `now`, in registration order. Synchronous by contract: no I/O. */
  evaluate(now: number = this.#clock.now()): ComponentReport[] {
    return [...this.#entries.values()].map((entry) => judge(entry, now));
  }
}

function judge(entry: Entry, now: number): ComponentReport {
  const { spec } = entry;
  const critical = spec.critical ?? true;
  const base = { name: spec.name, critical };
  const initialized = entry.state === "ready";
  const fail = (code: string, sampledAt?: number, checks: Record<string, boolean> = {}): ComponentReport => ({
    ...base,
    status: "unhealthy",
    error_code: code,
    readiness_checks: { initialized, ...checks },
    sampledAt,
  });
  if (entry.state === "failed") return fail(entry.failure ?? "INIT_FAILED");
  if (!initialized) return fail("NOT_INITIALIZED");
  let sample: (ComponentSample & { at?: number }) | undefined = entry.last;
  if (spec.read) {
    try {
      const read = spec.read(now);
      if (typeof (read as unknown as PromiseLike<unknown>)?.then === "function") return fail("READ_NOT_SYNC");
      ensureCheckNames(spec.name, read);
      sample = read;
    } catch {
      return fail("READ_FAILED");
    }
  }
  if (!sample) {
    // a monitored component (one with a max age) must have been sampled; one that only starts is ready
    if (spec.maxAgeMs !== undefined) return fail("NOT_SAMPLED");
    return { ...base, status: "healthy", error_code: null, readiness_checks: { initialized }, sampledAt: undefined };
  }
  const at = sample.at ?? now;
  const checks: Record<string, boolean> = { ...(sample.checks ?? {}) };
  if (spec.maxAgeMs !== undefined) {
    const fresh = now - at <= spec.maxAgeMs;
    checks.fresh = fresh;
    if (!fresh) return fail("STALE", at, checks);
  }
  // a status outside the vocabulary (a JavaScript caller's typo) counts as failing
  const status: HealthStatus = HEALTH_STATUSES.includes(sample.status) ? sample.status : "unhealthy";
  const code =
    status === "healthy" && !sample.errorCode
      ? null
      : sample.errorCode
        ? sanitizeCode(sample.errorCode)
        : status.toUpperCase();
  return { ...base, status, error_code: code, readiness_checks: { initialized, ...checks }, sampledAt: at };
}

function ensureCheckNames(component: string, sample: ComponentSample): void {
  for (const [key, value] of Object.entries(sample.checks ?? {})) {
    if (!isValidName(key) || typeof value !== "boolean") {
      throw new TroError("TRO_ERR_INTERNAL", `component "${component}" reported a malformed readiness check`, {
        hint: "Readiness checks are name → boolean, names without spaces.",
      });
    }
  }
}

function initFailure(name: string, code: string, cause?: unknown): TroError {
  return new TroError("TRO_ERR_SERVICE_START", `component "${name}" failed to start (${code})`, {
    hint: "Nothing was started after it; fix the cause (rerun with --verbose) and start the service again.",
    cause,
  });
}

/** A registry for one service; the clock is injected so tests move time instead of waiting. */
export function createHealthRegistry(options: { clock?: Clock } = {}): HealthRegistry {
  return new HealthRegistry(options);
}
