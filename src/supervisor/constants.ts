/**
 * Every timeout, interval and limit of the supervisor, in one place (STYLE 13). Figures borrowed from the
 * tools operators already know are noted: PM2 resets its backoff after 30 s up; pm2-logrotate keeps 10 MB files.
 */

/** SIGTERM, then SIGKILL after this long (`tradeops stop --grace`); a trading bot may need it to cancel orders. */
export const DEFAULT_STOP_GRACE_MS = 10_000;
/** after SIGKILL, how long to wait for the kernel to report the exit before recording it as unkillable */
export const KILL_WAIT_MS = 5_000;
/** how often a starting instance is probed until its level-1 health answers */
export const STARTUP_PROBE_INTERVAL_MS = 25;
/** how often a starting worker's check command runs until it passes (a heartbeat file is looked at every 25 ms) */
export const WORKER_STARTUP_PROBE_MS = 200;
/** the shortest time a starting instance is given to answer health (longer when interval × failures is longer) */
export const START_TIMEOUT_FLOOR_MS = 5_000;
/** an instance without a health endpoint counts as running once it has stayed up this long */
export const NO_HEALTH_SETTLE_MS = 1_000;
/** an instance running this long without trouble starts a fresh restart streak (PM2: 30 s) */
export const STABLE_AFTER_MS = 30_000;
/** how often an adopted process (not our child, so no exit event) is checked */
export const ADOPTED_POLL_MS = 100;
/** how often log sizes, retention and free disk space are checked */
export const LOG_CHECK_INTERVAL_MS = 2_000;
/** a log file is rotated past this size (pm2-logrotate's default) */
export const LOG_MAX_BYTES = 10 * 1024 * 1024;
/** rotated files kept per instance, whatever their age: bounds the disk a chatty service can use */
export const LOG_MAX_FILES = 10;
/** below this much free space on the log disk, the supervisor records a warning and keeps fewer files */
export const LOW_DISK_BYTES = 256 * 1024 * 1024;
/** log lines kept with a failure reason */
export const FAILURE_LOG_LINES = 10;
/** state changes kept per instance in memory for `status` */
export const RECENT_EVENTS = 20;
/** how long a client waits for an on-demand supervisor to answer */
export const DAEMON_START_TIMEOUT_MS = 10_000;
/** pause between connection attempts while the supervisor starts */
export const CONNECT_RETRY_MS = 50;
/** a request that is not a stop or a wait must be answered within this */
export const REQUEST_TIMEOUT_MS = 30_000;
/** largest health response body read */
export const HEALTH_BODY_LIMIT = 64 * 1024;
/** the longest path a Unix socket may have (108 on Linux, 104 on macOS, with margin) */
export const SOCKET_PATH_MAX = 100;
