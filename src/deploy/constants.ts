/**
 * Every timeout, interval and limit of a deploy, in one place (STYLE 13). Figures borrowed from the tools operators
 * know are noted: kamal-proxy's deploy and drain timeouts are 30 s; Argo keeps the old colour 30 s after a switch.
 */

/** A new release must pass health at the policy's level within this (`--start-timeout`; kamal-proxy: 30 s). */
export const START_TIMEOUT_MS = 30_000;
/** How often a starting release is probed. */
export const START_PROBE_INTERVAL_MS = 100;
/** How often gate 11 probes during the monitoring window. */
export const MONITOR_INTERVAL_MS = 1_000;
/** A stopped colour gets SIGTERM, then SIGKILL after this (a bot may need it to cancel open orders). */
export const STOP_GRACE_SECONDS = 10;
/** How long in-flight requests on the old colour may take after a switch (kamal-proxy: 30 s). */
export const DRAIN_TIMEOUT_MS = 30_000;
/** How long a freshly started front proxy has to answer. */
export const PROXY_START_TIMEOUT_MS = 10_000;
/** A switch not confirmed (gate 11 passed) nor renewed (the deploy's heartbeat) this long returns traffic. */
export const SWITCH_GUARD_MS = 60_000;
/** A lock's owner rewrites its record this often while it works. */
export const LOCK_HEARTBEAT_MS = 10_000;
/** A lock whose owner runs on another machine is stale after this long without a beat. */
export const LOCK_STALE_MS = 60_000;
/** install and migrate commands on the target may run this long. */
export const TARGET_COMMAND_TIMEOUT_MS = 15 * 60_000;
/** `tradeops logs` on a `secrets: host` target (it waits up to 3 s for the secrets it scrubs) may run this long. */
export const HOST_LOGS_TIMEOUT_MS = 60_000;
/** The holder name the executor lease carries while it is between two releases (nobody may send). */
export const HANDOFF_HOLDER = "(handoff)";
