/** Why: the supervisor and its warm spares (src/node/standby.ts) speak this over the spare's IPC channel. */

/** the variable that starts `tradeops serve` as a spare */
export const STANDBY_VARIABLE = "TRADEOPS_STANDBY";

/** the spare has loaded the node's code and can take over */
export const STANDBY_READY = { tradeops: "standby-ready" } as const;
/** take over: start the node (bind the port, read manifest, config and strategy, take the lease as any node) */
export const STANDBY_GO = { tradeops: "standby-go" } as const;
