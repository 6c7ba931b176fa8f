/** The supervisor's library API: the same operations as `tradeops start|stop|restart|status`, in-process. */
export {
  type ConnectOptions,
  connectSupervisor,
  type DaemonLaunch,
  hasRecordedServices,
  type SupervisorClient,
} from "./client.js";
export { buildStartArgv, instanceVariables } from "./command.js";
export * from "./constants.js";
export { supervisorLaunch, tradeopsEntry } from "./launch.js";
export { type FollowedFile, followFiles } from "./log-follow.js";
export { type LogLimits, pruneRotated, rotatedFiles, rotateIfNeeded, tailLines } from "./logs.js";
export { logFileOf, resolveStateDir, type StateLayout, stateLayout } from "./paths.js";
export { decideRestart, type RestartDecision, type RestartStreak } from "./policy.js";
export { type SupervisorServer, serveSupervisor } from "./socket-server.js";
export {
  ACTIVE_STATES,
  canTransition,
  INSTANCE_STATES,
  type InstanceState,
  STATE_TABLE,
  type Trigger,
} from "./states.js";
export { type StartResult, Supervisor, type SupervisorOptions, type Target } from "./supervisor.js";
export { parseSystemdUnit, renderSystemdUnit, type SystemdUnitOptions, systemdUnitName } from "./systemd.js";
export * from "./types.js";
