/**
 * The workspace manifest (`tradeops.yaml`), as one zod schema. This is the single source: the runtime
 * validation uses it, `schema/tradeops.schema.json` and `docs/manifest-reference.md` are generated from
 * it (`npm run generate`), and a test fails when a generated file drifts.
 */
import * as z from "zod";
import { ENVIRONMENTS } from "../environment/names.js";

const envName = z.enum(ENVIRONMENTS).describe("a canonical environment name");
const strict = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);
/** a record keyed by environment name; unknown environment names are errors */
const perEnv = <T extends z.ZodType>(value: T) => z.partialRecord(envName, value);

const nonEmpty = z.string().trim().min(1);
const port = z.int().min(1).max(65535);
const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name")
  .describe("an environment variable name");
const logLevel = z.enum(["trace", "debug", "info", "warn", "error", "fatal"]);
export const EXECUTION_MODES = ["backtest", "paper", "live"] as const;
const executionMode = z.enum(EXECUTION_MODES);

const signalStore = z
  .string()
  .regex(/^((sqlite|postgres):.+|none)$/, "a store is `sqlite:PATH`, `postgres:URL` or `none`")
  .describe(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the manifest syntax
    "`sqlite:PATH` (relative to the workspace root), `postgres:URL` (`${VAR}` is expanded), or `none` (no signal log; only where `required: false`)",
  );

export const NOTIFY_EVENTS = [
  "halt",
  "resume",
  "give-up",
  "gate-failed",
  "rollback",
  "lease-lost",
  "risk-trip",
  "deploy-done",
  "test",
] as const;

const secretText = nonEmpty.describe(
  // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the manifest syntax
  "may name environment variables as ${NAME}: their values are secrets, never shown",
);
const notifyCommon = {
  name: nonEmpty.optional().describe("how messages and errors name this channel (default: its type)"),
  events: z.array(z.enum(NOTIFY_EVENTS)).optional().describe("only these events (default: all)"),
};
const notificationChannel = z.discriminatedUnion("type", [
  strict({
    type: z.literal("webhook"),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the manifest syntax
    url: secretText.describe("POSTed a JSON event; ${NAME} for a secret URL"),
    ...notifyCommon,
  }),
  strict({
    type: z.literal("slack"),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the manifest syntax
    url: secretText.describe("a Slack-compatible incoming webhook URL, e.g. ${SLACK_WEBHOOK_URL}"),
    ...notifyCommon,
  }),
  strict({
    type: z.literal("telegram"),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the manifest syntax
    botToken: secretText.describe("the bot token, e.g. ${TELEGRAM_BOT_TOKEN}"),
    chatId: nonEmpty.describe("the chat to post to"),
    apiUrl: z.url().optional().describe("Bot API base URL (default https://api.telegram.org)"),
    ...notifyCommon,
  }),
  strict({
    type: z.literal("email"),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the manifest syntax
    smtp: secretText.describe("smtp(s)://user:${SMTP_PASSWORD}@host:port"),
    from: nonEmpty,
    to: z.array(nonEmpty).min(1),
    ...notifyCommon,
  }),
]);
export type NotificationChannelManifest = z.output<typeof notificationChannel>;

const environmentSettings = strict({
  logLevel: logLevel.optional().describe("default: debug in development and test, info in staging and production"),
  logRetentionDays: z.int().min(1).optional().describe("default: 7 in development and test, 30 otherwise"),
  signals: strict({
    store: signalStore.optional().describe("default: sqlite:.tradeops/<environment>/signals.db"),
    required: z.boolean().optional().describe("default: true in production, false otherwise"),
    retentionDays: z.int().min(1).optional().describe("default: 2557 (7 years) in production, 7 otherwise"),
  })
    .optional()
    .describe("where the signal log is kept and for how long"),
  executionMode: executionMode
    .optional()
    .describe("default execution mode: backtest in test, paper otherwise; live must be chosen explicitly"),
  autoExecute: z.boolean().optional().describe("whether orders are sent automatically (default true)"),
  pauseWhenIdle: z
    .boolean()
    .optional()
    .describe(
      "pause auto-execution while the machine sleeps or is idle (default true in development; never in production)",
    ),
  idle: strict({
    processes: z.array(nonEmpty).optional().describe("idle while none of these processes runs"),
    heartbeatFile: nonEmpty.optional().describe("idle while this file is older than heartbeatMaxAgeMinutes"),
    heartbeatMaxAgeMinutes: z.number().positive().optional(),
  })
    .optional()
    .describe("what counts as idle in development"),
  notifications: z
    .array(notificationChannel)
    .optional()
    .describe("where halts, give-ups, failed gates, rollbacks, lease losses, risk trips and finished deploys are sent"),
});

const detect = strict({
  variable: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name")
    .default("TRADEOPS_ENV")
    .describe("the environment variable that names the environment"),
  aliases: z.record(nonEmpty, envName).default({}).describe("extra names that map onto environments"),
  markerFiles: perEnv(z.array(nonEmpty)).default({}).describe("an environment is chosen when one of its files exists"),
  pathContains: perEnv(z.array(nonEmpty))
    .default({})
    .describe("chosen when the working directory or workspace path contains a fragment"),
  hostnameContains: perEnv(z.array(nonEmpty))
    .default({})
    .describe("chosen when the hostname contains a fragment (case-insensitive)"),
  default: z
    .union([envName, z.literal("refuse")])
    .default("development")
    .describe("used when no rule matched"),
});

const environments = strict({
  detect: detect.optional(),
  development: environmentSettings.optional(),
  test: environmentSettings.optional(),
  staging: environmentSettings.optional(),
  production: environmentSettings.optional(),
}).describe("detection rules and per-environment settings; the environments listed here are the declared ones");

const SECRET_SOURCE = /^(env|dotenv|config|aws-secrets|aws-ssm|exec):.+$/;
const secretSource = z
  .string()
  .regex(SECRET_SOURCE, "a source is env:, dotenv:, config:, aws-secrets:, aws-ssm: or exec: followed by its argument")
  .describe("env:, dotenv:, config:, aws-secrets:, aws-ssm: or exec: followed by its argument");
const secretChain = z.union([
  z.array(secretSource).min(1),
  strict({
    sources: z.array(secretSource).min(1),
    allowLastResort: z
      .boolean()
      .default(false)
      .describe("allow a config-file source in production (it is used last and warned about)"),
    optional: z.boolean().default(false).describe("a missing value is not an error"),
  }),
]);
const accountBinding = strict({
  broker: z.enum(["alpaca", "simulated"]).describe("the broker the account lives at"),
  mode: z.enum(["paper", "live"]).describe("whether the account trades paper or real money"),
  accountId: nonEmpty.optional().describe("the account id the broker must report"),
  accountName: nonEmpty.optional().describe("the account name the broker must report"),
  baseUrl: z.url().optional().describe("trading API base URL (default: the broker's paper or live URL)"),
  credentials: strict({
    keyId: envVarName.describe("the secret holding the key id"),
    secretKey: envVarName.describe("the secret holding the secret key"),
  }).optional(),
});

const commands = strict({
  install: nonEmpty.optional(),
  test: nonEmpty.optional(),
  lint: nonEmpty.optional(),
  build: nonEmpty.optional(),
  start: nonEmpty.optional(),
  migrate: nonEmpty.optional(),
}).describe("shell commands run in the project's directory");

const health = strict({
  path: z.string().startsWith("/").default("/health").describe("level 1 endpoint"),
  detailedPath: z.string().startsWith("/").default("/health/detailed").describe("level 2 endpoint"),
  intervalSeconds: z.number().positive().default(30).describe("how often the supervisor polls"),
  timeoutSeconds: z.number().positive().default(3),
  failuresBeforeRestart: z.int().min(1).default(3),
  backoffSeconds: z.array(z.number().nonnegative()).min(1).default([5, 10, 20]),
  maxRestarts: z
    .int()
    .min(0)
    .default(3)
    .describe(
      "backoff restarts in a row (after the immediate restart of a first crash) before the service is marked failed; 0 never restarts",
    ),
  warmSpare: z
    .boolean()
    .optional()
    .describe(
      "keep a second, loaded process of a `tradeops serve` start command in standby (no port, no lease): an unrequested restart hands over to it in milliseconds (default false)",
    ),
  deepPath: z
    .string()
    .startsWith("/")
    .optional()
    .describe("level 3 endpoint of a service that is not a tradeops node (default /health/deep)"),
  deepCommand: nonEmpty
    .optional()
    .describe("level 3 as a command run in the project's directory: exit 0 passes (services without a deep endpoint)"),
  heartbeatFile: nonEmpty
    .optional()
    .describe("without a port: a file the worker touches; healthy while younger than heartbeatMaxAgeSeconds"),
  heartbeatMaxAgeSeconds: z
    .number()
    .positive()
    .optional()
    .describe("how old the heartbeat file may get (default: 3 × intervalSeconds)"),
  command: nonEmpty
    .optional()
    .describe("without a port: a shell command in the project's directory; exit 0 within timeoutSeconds is healthy"),
});

const projectConfig = strict({
  schema: nonEmpty.optional().describe("a JSON Schema file, or a .ts/.js module exporting a zod schema"),
  base: nonEmpty.optional().describe("the base layer (YAML or JSON)"),
  environments: perEnv(nonEmpty).default({}).describe("one overlay file per environment"),
  local: nonEmpty.optional().describe("a local overlay, never deployed"),
  example: nonEmpty.optional().describe("the example file kept in sync with the schema (`config example`)"),
  envPrefix: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*_$/, "an upper-case prefix ending in _")
    .optional()
    .describe("prefix of environment variables that override keys, `__` nests"),
  export: strict({
    prefix: z
      .string()
      .regex(/^([A-Z][A-Z0-9_]*_)?$/, "an upper-case prefix ending in _, or empty")
      .optional()
      .describe('prefix of the exported variables; "" exports keys bare (`use_archived_data` → USE_ARCHIVED_DATA)'),
    names: z
      .record(nonEmpty, envVarName)
      .default({})
      .describe("dotted config key → the variable it is exported as, instead of its prefixed name"),
  })
    .optional()
    .describe("how config reaches the process (default: every key under envPrefix, else PROJECT_)"),
}).describe(
  "layered configuration; paths are relative to the project's path; YAML, JSON or dotenv files (`.env.*`, `env.*`, `*.env`), `*.example` templates read as the format before `.example`",
);

const environmentVariable = strict({
  name: envVarName,
  values: z.partialRecord(envName, nonEmpty).default({}).describe("the shop's spelling of each environment"),
});
const logLevelVariable = strict({
  name: envVarName.default("LOG_LEVEL"),
  values: z.partialRecord(logLevel, nonEmpty).default({}).describe("the shop's spelling of each level"),
});

const project = strict({
  path: nonEmpty.describe("the project's directory, relative to the workspace root"),
  kind: z
    .enum(["service", "strategy", "worker", "frontend", "library"])
    .default("service")
    .describe("`worker`: a process without a port (tick collector, strategy runner), health-checked as `health` says"),
  description: z.string().optional(),
  coupledWith: z.array(nonEmpty).default([]).describe("projects always tested and deployed with this one"),
  sendsOrders: z
    .boolean()
    .optional()
    .describe("whether it sends orders (default: true for strategies); never two releases send at once"),
  liveTrading: z.boolean().default(false).describe("explicit enablement of live trading for this project"),
  commands: commands.default({}),
  port: port.optional(),
  outputDir: nonEmpty
    .optional()
    .describe(
      "`frontend` without a start command: the directory (relative to the project) its build command writes; those files are the release, switched in atomically through the target's `current` link",
    ),
  health: health.default(health.parse({})),
  config: projectConfig.optional(),
  secrets: z
    .record(envVarName, perEnv(secretChain))
    .default({})
    .describe("secret name (exported under that name) → ordered sources per environment"),
  accounts: perEnv(accountBinding).default({}).describe("the broker account bound per environment"),
  requiredEnv: perEnv(z.array(envVarName)).default({}).describe("variables that must be set per environment"),
  environmentVariable: environmentVariable
    .optional()
    .describe("also export the environment under the shop's own variable and spelling (e.g. BASIS_ENVIRONMENT=dev)"),
  logLevelVariable: logLevelVariable
    .optional()
    .describe("the variable the environment's logLevel is exported as (default LOG_LEVEL, spelled as in the manifest)"),
});

const HOST = /^(local|([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:\d{1,5})?)$/;
const target = strict({
  hosts: z
    .array(z.string().regex(HOST, "`local` or `user@host[:port]`").describe("`local` or `user@host[:port]`"))
    .min(1)
    .default(["local"]),
  path: nonEmpty.describe("base path on the target (releases/, shared/ live below it)"),
  port: port.optional().describe("the public port the front proxy listens on"),
  internalPorts: z.tuple([port, port]).optional().describe("blue and green ports (default: port+1, port+2)"),
  keepReleases: z.int().min(1).default(5),
  lease: z
    .enum(["file", "postgres"])
    .optional()
    .describe(
      "where the executor lease of an order sender lives: a file on the host, or a row in the environment's PostgreSQL signal store (default: postgres when the signal store is PostgreSQL, else file)",
    ),
  persist: z
    .array(
      z
        .string()
        .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0]+$/, "a path relative to the project's directory, without `..`")
        .describe("`data/` (a directory: trailing slash) or `trades.db` (a file)"),
    )
    .default([])
    .describe(
      "paths of the project kept in the target's shared/persist/, linked into every release, untouched by rollback; seeded from the first release's copy",
    ),
  secrets: z
    .enum(["deployer", "host"])
    .default("deployer")
    .describe(
      "where the release's secrets are resolved: `deployer` (the deploying machine, written to the release's env file) or `host` (only on the target host, by its tradeops: a server-side .env, an instance role; needs the supervisor runner)",
    ),
});

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const policy = strict({
  confirmPhrase: nonEmpty.optional().describe("exact phrase to type (or pass with --confirm) before deploying"),
  healthLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
  monitorSeconds: z.int().min(0).default(60).describe("post-deploy monitoring window"),
  blockedDays: z.array(z.enum(DAYS)).default([]),
  blockedHours: z
    .array(
      z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "HH:MM-HH:MM")
        .describe("a time range HH:MM-HH:MM"),
    )
    .default([]),
  timezone: z.string().default("UTC").describe("IANA time zone for blocked days and hours"),
  requireHealthy: z.array(envName).default([]).describe("environments that must be healthy first"),
  refusePatterns: z
    .array(nonEmpty)
    .default(["console\\.log", "\\bdebugger\\b", "\\bTODO\\b", "\\bFIXME\\b"])
    .describe("regular expressions refused in added lines of the diff being deployed"),
  neverSkip: z.array(z.int().min(1).max(12)).default([]).describe("gate numbers that --skip-gate may never skip"),
  excludeTests: z.boolean().default(true).describe("refuse artifacts that contain test files"),
  signalParityDays: z
    .int()
    .min(1)
    .default(30)
    .describe(
      "gate 12: how many days of the active release's recorded decisions the new release replays and is compared on",
    ),
  signalChanges: z
    .enum(["block", "warn"])
    .optional()
    .describe(
      "gate 12: whether decisions that differ from the active release's block the deploy (default: block in production, warn elsewhere)",
    ),
  sharedVersionBump: z
    .enum(["off", "warn", "fail"])
    .default("warn")
    .describe(
      "a change under a shared path whose package version (package.json, pyproject.toml, setup.cfg, VERSION) did not change: warned at gate 1, or fails it",
    ),
});

export const manifestSchema = strict({
  $schema: z.string().optional().describe("JSON Schema reference for editors"),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, `.`, `_` and `-`")
    .describe("the workspace's name: lower-case letters, digits, `.`, `_` and `-`"),
  environments: environments.optional(),
  projects: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a project name"), project).default({}),
  shared: z.array(nonEmpty).default([]).describe("paths whose change means every project is tested"),
  targets: perEnv(z.record(nonEmpty, target)).default({}),
  policies: perEnv(policy).default({}),
});

export type ManifestInput = z.input<typeof manifestSchema>;
export type Manifest = z.output<typeof manifestSchema>;
export type ProjectManifest = z.output<typeof project>;
export type EnvironmentSettingsInput = z.output<typeof environmentSettings>;
export type DetectRules = z.output<typeof detect>;
export type SecretChainInput = z.output<typeof secretChain>;
export type AccountBindingManifest = z.output<typeof accountBinding>;
export type TargetManifest = z.output<typeof target>;
export type PolicyManifest = z.output<typeof policy>;
export type HealthSettings = z.output<typeof health>;
export type EnvironmentVariableManifest = z.output<typeof environmentVariable>;
export type LogLevelVariableManifest = z.output<typeof logLevelVariable>;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

export { DEFAULT_DETECT, DEFAULT_POLICY } from "./defaults.js";

/** The schema's own defaults, to check the plain copies in defaults.ts against. */
export const schemaDefaults = (): { detect: DetectRules; policy: PolicyManifest } => ({
  detect: detect.parse({}),
  policy: policy.parse({}),
});

/** The formats JSON Schema 2020-12 defines; zod also writes its own (`starts_with`), which editors reject. */
const STANDARD_FORMATS = new Set([
  "date-time",
  "date",
  "time",
  "duration",
  "email",
  "idn-email",
  "hostname",
  "idn-hostname",
  "ipv4",
  "ipv6",
  "uri",
  "uri-reference",
  "iri",
  "iri-reference",
  "uuid",
  "uri-template",
  "json-pointer",
  "relative-json-pointer",
  "regex",
]);

/** Drops every non-standard `format` (the `pattern` beside it does the checking). */
function standardFormatsOnly(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(standardFormatsOnly);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([k, v]) => !(k === "format" && typeof v === "string" && !STANDARD_FORMATS.has(v)))
      .map(([k, v]) => [k, standardFormatsOnly(v)]),
  );
}

/** The JSON Schema published for editors and other tools: standard formats only. */
export function manifestJsonSchema(): Record<string, unknown> {
  const generated = standardFormatsOnly(
    z.toJSONSchema(manifestSchema, { io: "input", target: "draft-2020-12" }),
  ) as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    $id: "https://tradeops.dev/schema/tradeops.schema.json",
    title: "tradeops workspace manifest (tradeops.yaml)",
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== "$schema")),
  };
}
