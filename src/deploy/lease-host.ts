/**
 * The file lease of an SSH host, driven from the deploying machine: a small shell program run on the host through
 * the executor's command channel changes the lease file there under the same lock directory and in the same format
 * as src/accounts/lease.ts, so the releases on that host (which open the file directly) see each change at once.
 */
import { posix } from "node:path";
import { LEASE_LOCK_STALE_MS, LEASE_TTL_MS, leaseFileName } from "../accounts/lease.js";
import { TroError } from "../errors.js";
import { type Executor, ensureOk, sh } from "../exec/command.js";
import { HANDOFF_HOLDER } from "./constants.js";
import type { LeaseDriver } from "./lease-driver.js";

/** How long one change of the lease on the host may take (the lock waits up to twice its stale age). */
const HOST_LEASE_TIMEOUT_MS = 30_000;

/**
 * The host side, POSIX sh (a node start would cost ≈ 100 ms inside the order gap), argv:
 * `read|transfer PATH TTL_MS STALE_MS [HOLDER]`. Prints the lease as `{"token":N,"holder":"H","live":B}`; a transfer
 * takes the lock directory (breaking one older than STALE_MS), bumps the token, names the new holder and writes the
 * file through a temporary name, exactly as src/accounts/lease.ts writes it.
 */
const HOST_SCRIPT = [
  'op=$1; path=$2; ttl=$3; stale=$4; holder=$5; lock="$path.lock"',
  'ms() { t=$(date +%s%3N 2>/dev/null); case "$t" in ""|*N*) echo $(($(date +%s) * 1000)) ;; *) echo "$t" ;; esac; }',
  'field() { [ -f "$path" ] && sed -n "s/.*\\"$1\\":\\([0-9][0-9]*\\).*/\\1/p" "$path"; }',
  'who() { [ -f "$path" ] && sed -n \'s/.*"holder":"\\([^"]*\\)".*/\\1/p\' "$path"; }',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  'show() { live=false; [ -n "$2" ] && [ $(($(ms) - ${3:-0})) -le "${4:-0}" ] && live=true',
  '  if [ -n "$2" ]; then printf \'{"token":%s,"holder":"%s","live":%s}\' "$1" "$2" "$live"; else printf \'{"token":%s,"live":false}\' "$1"; fi; }',
  'if [ "$op" = read ]; then',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '  t=$(field token); show "${t:-0}" "$(who)" "$(field renewedAt)" "$(field ttlMs)"; exit 0',
  "fi",
  "started=$(ms)",
  'until mkdir "$lock" 2>/dev/null; do',
  '  m=$(stat -c %Y "$lock" 2>/dev/null) && [ $(($(date +%s) - m)) -gt $((stale / 1000)) ] && rm -rf "$lock"',
  '  [ $(($(ms) - started)) -gt $((stale * 2)) ] && { echo "the lease at $path stayed locked" >&2; exit 75; }',
  "  sleep 0.005",
  "done",
  "trap 'rm -rf \"$lock\"' EXIT",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  't=$(field token); t=$((${t:-0} + 1)); now=$(ms); tmp="$path.$$.tmp"',
  'printf \'{"token":%s,"holder":"%s","acquiredAt":%s,"renewedAt":%s,"ttlMs":%s}\' "$t" "$holder" "$now" "$now" "$ttl" > "$tmp"',
  'mv -f "$tmp" "$path" || exit 1',
  'show "$t" "$holder" "$now" "$ttl"',
].join("\n");

interface HostLease {
  readonly token: number;
  readonly holder?: string;
  readonly live: boolean;
}

export interface HostLeaseOptions {
  readonly executor: Executor;
  /** the target's lease directory on the host */
  readonly dir: string;
  readonly project: string;
  readonly account: string;
}

/** The lease file in a directory of an SSH host (a one-host target's `shared/lease`). */
export function hostFileLeaseDriver(o: HostLeaseOptions): LeaseDriver {
  const path = posix.join(o.dir, leaseFileName(o.project, o.account));
  const call = async (op: "read" | "transfer", holder?: string): Promise<HostLease> => {
    if (holder !== undefined && /["\\\s]/.test(holder)) {
      throw new TroError(
        "TRO_ERR_USAGE",
        `The lease holder ${JSON.stringify(holder)} contains a quote, a backslash or a space.`,
        {
          hint: "Release ids are letters, digits, dots and dashes.",
        },
      );
    }
    const argv = sh(HOST_SCRIPT, op, path, String(LEASE_TTL_MS), String(LEASE_LOCK_STALE_MS));
    const what = op === "read" ? `read the executor lease ${path}` : `hand the executor lease ${path} to ${holder}`;
    const result = await o.executor.run({ argv: holder ? [...argv, holder] : argv, timeoutMs: HOST_LEASE_TIMEOUT_MS });
    if (result.code === 75) {
      throw new TroError("TRO_ERR_LOCK_HELD", `The executor lease ${path} on ${o.executor.host} stayed locked.`, {
        hint: `Remove ${path}.lock on the host if no tradeops process runs there.`,
      });
    }
    return JSON.parse(ensureOk(result, what, o.executor).stdout) as HostLease;
  };
  return {
    holder: async () => {
      const s = await call("read");
      return s.holder && s.holder !== HANDOFF_HOLDER ? s.holder : undefined;
    },
    holds: async (release) => {
      const s = await call("read");
      return s.holder === release && s.live;
    },
    fence: async () => (await call("transfer", HANDOFF_HOLDER)).token,
    transfer: async (release) => (await call("transfer", release)).token,
  };
}
