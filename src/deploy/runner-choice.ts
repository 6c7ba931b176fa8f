/**
 * Which runner a target's releases run under, decided once per target: chosen at its first deploy (`--runner`, else
 * the supervisor, which restarts a crashed release with backoff), recorded in its `state.json`, and used by every
 * later deploy, rollback, recovery and `tradeops target` command unless `--runner` names another (recorded, and said).
 * While a change is under way the release of the old runner still runs in one colour: a bridge stops it there too.
 */
import { posix } from "node:path";
import type { Executor } from "../exec/command.js";
import { targetLayout } from "./layout.js";
import { type TargetState, targetRecords } from "./records.js";
import type { ReleaseRunner } from "./runner.js";
import type { TargetFiles } from "./target-files.js";
import { targetFiles } from "./target-files.js";
import { COLORS } from "./types.js";

export type RunnerKind = "direct" | "supervisor";

/** A first deploy's runner when `--runner` does not name one: supervised, as on a laptop. */
export const DEFAULT_RUNNER: RunnerKind = "supervisor";

export interface RunnerChoice {
  readonly kind: RunnerKind;
  /** the runner recorded (or found) on the target before, when there was one */
  readonly recorded?: RunnerKind;
  /** what to record and say: a first choice, or a change asked for with --runner */
  readonly note?: string;
}

/**
 * The runner recorded on a target; for a target deployed before runners were recorded, the one whose records are
 * there (a supervisor's state directory, else a deployed colour: the direct runner); undefined before a first deploy.
 */
export async function recordedRunner(
  files: TargetFiles,
  path: string,
  state: TargetState,
): Promise<RunnerKind | undefined> {
  if (state.runner) return state.runner;
  const layout = targetLayout(path);
  for (const color of COLORS)
    if ((await files.read(posix.join(layout.supervisorDir, color, "state.json"))) !== undefined) return "supervisor";
  return Object.keys(state.colors).length ? "direct" : undefined;
}

/** The runner a deploy or rollback uses on a target: `--runner` when given, else the recorded one, else the default. */
export async function chooseRunner(executor: Executor, path: string, explicit?: RunnerKind): Promise<RunnerChoice> {
  const files = targetFiles(executor);
  const state = await targetRecords(files, targetLayout(path)).readState();
  const recorded = await recordedRunner(files, path, state);
  let kind = explicit ?? recorded ?? DEFAULT_RUNNER;
  if (state.runner === kind) return { kind, recorded };
  if (!explicit && !recorded && !executor.local && !(await hasTradeops(executor))) {
    kind = "direct";
    const note = `${executor.host} has no tradeops on its PATH, so releases run under the direct runner here (recorded; install tradeops there and deploy with --runner supervisor for crash restarts)`;
    return { kind, note };
  }
  const note = !recorded
    ? `releases run under the ${kind} runner here (recorded on the target; later deploys and rollbacks use it)`
    : recorded !== kind
      ? `the runner changes from ${recorded} to ${kind} (--runner; recorded on the target)`
      : `releases run under the ${kind} runner here (now recorded on the target)`;
  return { kind, ...(recorded ? { recorded } : {}), note };
}

/** Whether `tradeops` runs on the host (the supervisor runner runs it there). */
async function hasTradeops(executor: Executor): Promise<boolean> {
  return (await executor.run({ argv: ["sh", "-c", "command -v tradeops >/dev/null 2>&1"] })).code === 0;
}

/** Records the chosen runner in the target's state (read, change, write); returns what to say, if anything. */
export async function recordRunner(
  records: { readState(): Promise<TargetState>; writeState(s: TargetState): Promise<void> },
  choice: RunnerChoice,
): Promise<string | undefined> {
  if (!choice.note) return undefined;
  const state = await records.readState();
  state.runner = choice.kind;
  await records.writeState(state);
  return choice.note;
}

/**
 * The new runner, which also stops (and sees) what the old one still runs: after `--runner` changes, the serving
 * colour's release runs under the old runner until the deploy replaces it.
 */
export function bridgeRunners(current: ReleaseRunner, previous: ReleaseRunner): ReleaseRunner {
  return {
    kind: current.kind,
    start: async (spec) => {
      await previous.stop(spec.color, 5);
      return current.start(spec);
    },
    stop: async (color, graceSeconds) => {
      await previous.stop(color, graceSeconds);
      await current.stop(color, graceSeconds);
    },
    running: async (color) => (await current.running(color)) ?? (await previous.running(color)),
    logTail: async (color, lines) => (await current.logTail(color, lines)) || previous.logTail(color, lines),
    health: (port, level) => current.health(port, level),
  };
}
