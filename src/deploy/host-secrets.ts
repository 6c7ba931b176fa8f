/**
 * Secrets only the target host can read (`targets.ENV.PROJECT.secrets: host`): a server-side `.env`, an instance
 * role. The deploying machine never resolves them; the host's own tradeops does — the supervisor at every start,
 * `tradeops secrets check` once the release is uploaded (before anything starts), and `tradeops run` around the
 * release's install and migrate commands and a worker's health command.
 */
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { Command } from "../exec/command.js";
import { sh, tail } from "../exec/command.js";
import type { Project } from "../workspace/types.js";
import { TARGET_COMMAND_TIMEOUT_MS } from "./constants.js";
import type { RunnerChoice, RunnerKind } from "./runner-choice.js";
import type { TargetSession } from "./session.js";
import type { ResolvedTarget } from "./types.js";

/** Whether the target's secrets are resolved on its hosts rather than here. */
export function isHostSecrets(target: Pick<ResolvedTarget, "secrets"> | undefined): boolean {
  return target?.secrets === "host";
}

/** The secrets a project declares for an environment: the names the host is asked about. */
export function declaredSecrets(project: Project, environment: EnvironmentName): string[] {
  return Object.keys(project.secrets).filter((name) => project.secrets[name]?.[environment] !== undefined);
}

/**
 * Refuses a host whose runner cannot resolve the secrets there: only the supervisor runner runs tradeops on the host;
 * the direct runner starts a release from the env file this machine writes, which never carries those secrets.
 * A refusal (77), not a config error: the manifest is valid, but honouring it with this runner would weaken what it
 * promises (the secrets never leave the host).
 * @throws TroError TRO_ERR_POLICY_REFUSED
 */
export function ensureHostRunner(
  target: ResolvedTarget,
  host: string,
  choice: RunnerChoice,
  explicit: RunnerKind | undefined,
): void {
  if (!isHostSecrets(target) || choice.kind === "supervisor") return;
  const why =
    explicit === "direct"
      ? "--runner direct starts releases from the env file this machine writes"
      : choice.recorded === "direct"
        ? `${host} runs releases under the direct runner (recorded on the target), which starts them from the env file a deploy writes there, without the host's secrets`
        : `${host} has no tradeops on its PATH`;
  throw new TroError(
    "TRO_ERR_POLICY_REFUSED",
    `targets.${target.environment}.${target.project} resolves its secrets on ${host} (secrets: host), which needs tradeops there under the supervisor runner, but ${why}; nothing was changed.`,
    {
      hint: "Install tradeops on the host and deploy with --runner supervisor, or set the target's secrets: deployer.",
    },
  );
}

/** What `tradeops secrets check --json` prints (the fields read here). */
interface CheckOutput {
  readonly ok?: boolean;
  readonly error?: { readonly message?: string };
  readonly projects?: readonly {
    readonly project: string;
    readonly secrets: readonly {
      readonly name: string;
      readonly resolved: boolean;
      readonly required: boolean;
      readonly error: string | null;
      readonly attempts: readonly { readonly source: string; readonly outcome: string; readonly reason?: string }[];
    }[];
  }[];
}

/** `sh -c LINE` with the release's env file sourced; $1 the env file, then the line (or argv) */
const WITH_ENV = 'set -a; . "$1"; set +a; shift; exec sh -c "$1"';
const WITH_ENV_EXEC = 'set -a; . "$1"; set +a; shift; exec "$@"';

/** What `releaseShell` reads of a session (a runner, built before its session, passes these). */
export type ShellSession = Pick<TargetSession, "layout" | "target" | "project" | "tradeops">;

/**
 * A shell line of the project (install, migrate, a worker's health command, `health.deepCommand`) as a release runs
 * it on the host: with its env file; with `secrets: host`, through the host's `tradeops run PROJECT -- sh -c LINE`,
 * which adds the secrets it resolves there (the env file has none).
 */
export function releaseShell(session: ShellSession, release: string, line: string): string[] {
  const envFile = session.layout.envFile(release);
  if (!isHostSecrets(session.target)) return sh(WITH_ENV, envFile, line);
  const run = tradeopsOnHost(session, release, "run", session.project.name, "--scrub-output", "--", "sh", "-c", line);
  return sh(WITH_ENV_EXEC, envFile, ...run);
}

/** `tradeops … ARGS` on the host, in the uploaded release's workspace, for the target's environment. */
export function tradeopsOnHost(session: ShellSession, release: string, ...args: string[]): string[] {
  const env = session.target.environment;
  return [...session.tradeops, "--workspace", session.layout.release(release), "--env", env, ...args];
}

/**
 * Asks the host whether every secret of the release resolves there; returns a one-line summary (names only).
 * @throws TroError TRO_ERR_SECRET_UNRESOLVED or TRO_ERR_SECRET_PROVIDER (the first secret that did not resolve, its
 *   host and the sources that failed; never a value), TRO_ERR_COMMAND_FAILED (no answer from tradeops there),
 *   TRO_ERR_TARGET_UNAVAILABLE
 */
export async function checkHostSecrets(session: TargetSession, release: string): Promise<string> {
  const { executor, project } = session;
  if (!declaredSecrets(project, session.target.environment).length) return "no secrets declared";
  const command: Command = {
    argv: tradeopsOnHost(session, release, "secrets", "check", project.name, "--json"),
    cwd: session.layout.workdir(release, project.path),
    timeoutMs: TARGET_COMMAND_TIMEOUT_MS,
  };
  const result = await executor.run(command);
  if (!executor.local && result.code === 255)
    throw new TroError("TRO_ERR_TARGET_UNAVAILABLE", `Cannot reach ${executor.host} to check the release's secrets.`, {
      hint: "Check the host, user, port and key; then retry.",
    });
  let parsed: CheckOutput | undefined;
  try {
    parsed = JSON.parse(result.stdout) as CheckOutput;
  } catch {
    parsed = undefined;
  }
  const secrets = parsed?.projects?.find((p) => p.project === project.name)?.secrets;
  if (!secrets) {
    const detail = parsed?.error?.message ?? tail(result.stderr || result.stdout, 2).replace(/\s+/g, " ");
    // not an answer about a secret (tradeops missing there, a release it cannot load): the deploy fails as a command
    throw new TroError(
      "TRO_ERR_COMMAND_FAILED",
      `tradeops on ${executor.host} could not check the secrets of ${project.name} (exit ${result.code}): ${detail}`,
      {
        hint: "Check that tradeops runs on the host (`tradeops secrets check` in the release's directory); nothing was started.",
      },
    );
  }
  const failed = secrets.filter((s) => s.required && !s.resolved);
  if (failed.length) {
    const first = failed[0]!;
    const sources = first.error
      ? first.error
      : first.attempts.map((a) => `${a.source}${a.reason ? ` (${a.reason})` : ""}`).join(", ");
    const more =
      failed.length > 1
        ? ` (and ${failed
            .slice(1)
            .map((s) => s.name)
            .join(", ")})`
        : "";
    // a source that failed (unreachable provider, refused role) is 69 as in `secrets check`; no value at all is 78
    throw new TroError(
      first.error ? "TRO_ERR_SECRET_PROVIDER" : "TRO_ERR_SECRET_UNRESOLVED",
      `secret ${first.name}${more} of ${project.name} does not resolve on ${executor.host}: ${sources || "no source declared"}`,
      {
        hint: `Provide it on the host through one of its sources (\`tradeops secrets check ${project.name} --env ${session.target.environment}\` there shows each one); nothing was started.`,
      },
    );
  }
  return `${secrets.filter((s) => s.resolved).length} of ${secrets.length} secret(s) resolve on ${executor.host}`;
}

/**
 * Before a release starts again on a `secrets: host` target (a cold return of a rollback or a recovery, `tradeops
 * target start`), its host answers for its secrets first: a key gone from the host fails with its name (78, or 69)
 * while nothing has stopped or started, as in a deploy.
 * @throws TroError as checkHostSecrets
 */
export async function ensureHostSecrets(session: TargetSession, release: string): Promise<void> {
  if (isHostSecrets(session.target)) await checkHostSecrets(session, release);
}
