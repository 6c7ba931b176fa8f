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
    summary: "an environment name (flag or variable) is not a known environment or alias",
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
