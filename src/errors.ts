/**
 * The one registry of coded errors. Every error tradeops raises on purpose carries a stable code,
 * an exit code (sysexits, SPEC §13) and an HTTP status; `docs/errors.md` documents each code and a
 * test keeps the two in step.
 */

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 64,
  unavailable: 69,
  busy: 75,
  refused: 77,
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface ErrorSpec {
  readonly exit: ExitCode;
  readonly http: number;
  readonly summary: string;
}

export const ERROR_CODES = {
  TRO_ERR_USAGE: { exit: EXIT.usage, http: 400, summary: "a command line argument or flag is wrong" },
  TRO_ERR_WORKSPACE_NOT_FOUND: {
    exit: EXIT.config,
    http: 500,
    summary: "no tradeops.yaml was found from the current directory upward, or at --workspace",
  },
  TRO_ERR_MANIFEST_INVALID: { exit: EXIT.config, http: 500, summary: "tradeops.yaml does not validate" },
  TRO_ERR_ENV_UNKNOWN: {
    exit: EXIT.config,
    http: 500,
    summary: "the detection variable names something that is not a known environment or alias",
  },
  TRO_ERR_ENV_UNDECLARED: {
    exit: EXIT.config,
    http: 500,
    summary: "the environment is valid but the workspace does not declare it",
  },
  TRO_ERR_ENV_REFUSED: {
    exit: EXIT.config,
    http: 500,
    summary: "no detection rule matched and the workspace says `default: refuse`",
  },
  TRO_ERR_ENV_AMBIGUOUS: {
    exit: EXIT.config,
    http: 500,
    summary: "one detection rule matched two environments equally well",
  },
  TRO_ERR_PROJECT_UNKNOWN: { exit: EXIT.usage, http: 404, summary: "the named project is not in tradeops.yaml" },
  TRO_ERR_CONFIG_INVALID: {
    exit: EXIT.config,
    http: 500,
    summary: "a project's layered configuration does not load or does not validate",
  },
  TRO_ERR_CONFIG_CHECK_FAILED: {
    exit: EXIT.config,
    http: 500,
    summary: "`config check` found problems (validation, key parity, example drift, literal secrets, file modes)",
  },
  TRO_ERR_CONFIG_SCHEMA: {
    exit: EXIT.config,
    http: 500,
    summary: "a project's config schema (JSON Schema file or zod module) cannot be loaded",
  },
  TRO_ERR_INTERNAL: { exit: EXIT.failed, http: 500, summary: "an unexpected error; rerun with --verbose for details" },
  TRO_ERR_COMMAND_FAILED: { exit: EXIT.failed, http: 500, summary: "a project command or child process failed" },
  // secrets and accounts
  TRO_ERR_SECRET_UNRESOLVED: {
    exit: EXIT.config,
    http: 500,
    summary: "no source in a secret's chain yielded a value for this environment",
  },
  TRO_ERR_SECRET_PROVIDER: {
    exit: EXIT.unavailable,
    http: 503,
    summary: "a secret provider (AWS, a command, a file) failed or refused access",
  },
  TRO_ERR_GUARD_REFUSED: {
    exit: EXIT.refused,
    http: 403,
    summary: "an account guard refused: mixed credentials, paper/live mismatch, wrong account, live not allowed",
  },
  TRO_ERR_BROKER_UNAVAILABLE: { exit: EXIT.unavailable, http: 503, summary: "the broker could not be reached" },
  // signal log
  TRO_ERR_SIGNALS_STORE: {
    exit: EXIT.unavailable,
    http: 503,
    summary: "the signal store cannot be opened or written",
  },
  TRO_ERR_SIGNALS_CHAIN_BROKEN: {
    exit: EXIT.failed,
    http: 500,
    summary: "`signals verify` found a changed, missing, inserted or reordered record",
  },
  // runtime
  TRO_ERR_STRATEGY_INVALID: {
    exit: EXIT.config,
    http: 500,
    summary: "a strategy module or its parameters do not load or validate",
  },
  TRO_ERR_DATA_SOURCE: { exit: EXIT.unavailable, http: 503, summary: "market data cannot be read" },
  TRO_ERR_BACKTEST_UNRECONCILED: {
    exit: EXIT.failed,
    http: 500,
    summary: "a backtest's trades, open positions and fees do not add up to its change in equity",
  },
  TRO_ERR_TRADING_HALTED: { exit: EXIT.refused, http: 409, summary: "trading is halted (kill switch or a risk rule)" },
  // health, service host, supervisor
  TRO_ERR_HEALTH_FAILED: {
    exit: EXIT.unavailable,
    http: 503,
    summary: "a health check did not pass at the level asked",
  },
  TRO_ERR_INSTANCE_MISMATCH: {
    exit: EXIT.refused,
    http: 409,
    summary: "the service on the port is not the instance asked for (another workspace, environment or release)",
  },
  TRO_ERR_LEASE_UNAVAILABLE: {
    exit: EXIT.unavailable,
    http: 503,
    summary: "the executor lease store cannot be reached, so no order may be sent",
  },
  TRO_ERR_CONTROL_UNAUTHORIZED: { exit: EXIT.refused, http: 401, summary: "a control request lacked a valid token" },
  TRO_ERR_SERVICE_START: {
    exit: EXIT.unavailable,
    http: 503,
    summary: "a service host could not start: its port is in use or a component failed to start",
  },
  TRO_ERR_SUPERVISOR_UNAVAILABLE: {
    exit: EXIT.unavailable,
    http: 503,
    summary: "the background supervisor cannot be reached or started",
  },
  TRO_ERR_SUPERVISOR_BUSY: {
    exit: EXIT.busy,
    http: 409,
    summary: "another supervisor already runs for this workspace and environment (its state directory)",
  },
  // deploy
  TRO_ERR_LOCK_HELD: {
    exit: EXIT.busy,
    http: 409,
    summary: "another deploy holds the lock for this target and project",
  },
  TRO_ERR_POLICY_REFUSED: {
    exit: EXIT.refused,
    http: 403,
    summary: "a deploy policy refused: confirmation phrase, blocked day or hour, a gate that may not be skipped",
  },
  TRO_ERR_GATE_FAILED: { exit: EXIT.failed, http: 500, summary: "a deploy gate failed" },
  TRO_ERR_DEPLOY_FAILED: { exit: EXIT.failed, http: 500, summary: "a deploy failed and was rolled back" },
  TRO_ERR_TARGET_UNAVAILABLE: { exit: EXIT.unavailable, http: 503, summary: "a deploy target cannot be reached" },
  // adoption
  TRO_ERR_GENERATED_DRIFT: {
    exit: EXIT.failed,
    http: 500,
    summary: "`generate --check` found committed files that differ from what tradeops.yaml generates",
  },
  TRO_ERR_NOT_FOUND: { exit: EXIT.usage, http: 404, summary: "the named backtest, report or record does not exist" },
  TRO_ERR_QUEUE_FULL: { exit: EXIT.busy, http: 429, summary: "too many requests are already waiting (backtests)" },
  TRO_ERR_NOTIFY_FAILED: {
    exit: EXIT.unavailable,
    http: 502,
    summary: "a notification channel did not accept a message",
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem found while validating something: where it is, what is wrong, what was expected. */
export interface Problem {
  /** file the problem is in, relative to the workspace root when possible */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** dotted key path, e.g. `projects.argo.port` */
  readonly key?: string;
  readonly message: string;
  readonly expected?: string;
  /** a description of what was found; never a sensitive value */
  readonly got?: string;
}

export interface TroErrorOptions {
  readonly hint?: string;
  readonly problems?: readonly Problem[];
  readonly cause?: unknown;
}

/** An error that tradeops raises on purpose; the CLI maps it to its exit code and prints it without a stack. */
export class TroError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, options: TroErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TroError";
    this.code = code;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }

  get exitCode(): ExitCode {
    return ERROR_CODES[this.code].exit;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

export function isTroError(value: unknown): value is TroError {
  return value instanceof TroError;
}

/** `file:line:column` (as much of it as is known) followed by the key, as every message shows it. */
export function formatProblemLocation(problem: Problem): string {
  let where = problem.file ?? "";
  if (where && problem.line !== undefined) where += `:${problem.line}`;
  if (where && problem.line !== undefined && problem.column !== undefined) where += `:${problem.column}`;
  if (problem.key) where = where ? `${where} ${problem.key}` : problem.key;
  return where;
}

/** One line per problem: `file:line key: message (expected X, got Y)`. */
export function formatProblem(problem: Problem): string {
  const where = formatProblemLocation(problem);
  const detail: string[] = [];
  if (problem.expected) detail.push(`expected ${problem.expected}`);
  if (problem.got) detail.push(`got ${problem.got}`);
  const tail = detail.length ? ` (${detail.join(", ")})` : "";
  return `${where ? `${where}: ` : ""}${problem.message}${tail}`;
}
