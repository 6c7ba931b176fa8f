/**
 * The instance lifecycle as an explicit state table (NautilusTrader's component table): a transition not
 * listed here is a bug, and `ensureTransition` says which.
 */
export const INSTANCE_STATES = [
  "starting",
  "running",
  "unhealthy",
  "backoff",
  "stopping",
  "stopped",
  "failed",
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export type Trigger =
  | "start" // an operator (or the supervisor resurrecting desired state) starts it
  | "adopt" // a restarted supervisor finds its process alive
  | "healthy" // the first healthy level-1 answer (or settled, without a health endpoint)
  | "startFailed" // config, secrets or spawn failed before a process existed
  | "timedOut" // never answered health while starting
  | "healthFailed" // a failed poll, below the threshold
  | "recovered" // a healthy poll after failed ones
  | "giveUp" // failures reached the threshold: restart it
  | "exited" // the process ended
  | "backoffElapsed"
  | "stop";

type Table = Readonly<Record<InstanceState, Readonly<Partial<Record<Trigger, readonly InstanceState[]>>>>>;

export const STATE_TABLE: Table = {
  stopped: { start: ["starting"], adopt: ["starting", "running"] },
  failed: { start: ["starting"], stop: ["stopped"] },
  starting: {
    healthy: ["running"],
    startFailed: ["backoff", "failed"],
    timedOut: ["stopping"],
    exited: ["backoff", "failed"],
    stop: ["stopping"],
  },
  running: { healthFailed: ["unhealthy"], giveUp: ["stopping"], exited: ["backoff", "failed"], stop: ["stopping"] },
  unhealthy: {
    healthFailed: ["unhealthy"],
    recovered: ["running"],
    giveUp: ["stopping"],
    exited: ["backoff", "failed"],
    stop: ["stopping"],
  },
  backoff: { backoffElapsed: ["starting"], start: ["starting"], stop: ["stopped"] },
  // after a stop or an operator's restart: stopped; after a health or start-timeout kill: the restart policy decides
  stopping: { exited: ["stopped", "backoff", "failed"] },
};

/** States in which a process exists (or is being created) and the instance counts as up. */
export const ACTIVE_STATES: ReadonlySet<InstanceState> = new Set(["starting", "running", "unhealthy", "stopping"]);

/** Whether the table allows `from --trigger--> to`. */
export function canTransition(from: InstanceState, trigger: Trigger, to: InstanceState): boolean {
  return STATE_TABLE[from][trigger]?.includes(to) ?? false;
}

/** Throws on a transition the table does not list: it means the supervisor's own logic is wrong. */
export function ensureTransition(name: string, from: InstanceState, trigger: Trigger, to: InstanceState): void {
  if (!canTransition(from, trigger, to)) {
    throw new Error(`supervisor bug: ${name} cannot go from ${from} to ${to} on ${trigger}`);
  }
}
