/**
 * The file lease of an SSH host, driven from the deploying machine: a small node program run on the host through
 * the executor's command channel changes the lease file there under the same lock directory and in the same format
 * as src/accounts/lease.ts, so the releases on that host (which open the file directly) see each change at once.
 */
import { posix } from "node:path";
import { LEASE_LOCK_STALE_MS, LEASE_TTL_MS, leaseFileName } from "../accounts/lease.js";
import { TroError } from "../errors.js";
import { type Executor, ensureOk } from "../exec/command.js";
import { HANDOFF_HOLDER } from "./constants.js";
import type { LeaseDriver } from "./lease-driver.js";

/** How long one change of the lease on the host may take (the lock waits up to twice its stale age). */
const HOST_LEASE_TIMEOUT_MS = 30_000;

/**
 * The host side (CommonJS for `node -e`), argv: `read|transfer PATH TTL_MS STALE_MS [HOLDER]`. Prints the lease as
 * `{token, holder, live}`; a transfer takes the lock directory, bumps the token and names the new holder.
 */
const HOST_PROGRAM = `
const fs = require("fs");
const { stdout, stderr } = process;
const [op, path, ttlArg, staleArg, holder] = process.argv.slice(1);
const ttlMs = Number(ttlArg), staleMs = Number(staleArg), lock = path + ".lock";
const read = () => (fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")) : { token: 0, ttlMs });
const show = (s) => stdout.write(JSON.stringify({ token: s.token, holder: s.holder,
  live: s.holder !== undefined && Date.now() - (s.renewedAt || 0) <= s.ttlMs }));
const transfer = () => {
  const started = Date.now();
  for (;;) {
    try { fs.mkdirSync(lock); break; } catch {
      try { if (Date.now() - fs.statSync(lock).mtimeMs > staleMs) fs.rmSync(lock, { recursive: true, force: true }); } catch {}
      if (Date.now() - started > staleMs * 2) { stderr.write("the lease at " + path + " stayed locked\\n"); return 75; }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
  try {
    const now = Date.now();
    const next = { token: read().token + 1, holder, acquiredAt: now, renewedAt: now, ttlMs };
    const tmp = path + "." + process.pid + ".tmp";
    fs.writeFileSync(tmp, JSON.stringify(next));
    fs.renameSync(tmp, path);
    show(next);
    return 0;
  } finally { fs.rmSync(lock, { recursive: true, force: true }); }
};
if (op === "read") show(read());
else process.exitCode = transfer();
`;

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
  /** the node binary on the host */
  readonly node?: string;
}

/** The lease file in a directory of an SSH host (a one-host target's `shared/lease`). */
export function hostFileLeaseDriver(o: HostLeaseOptions): LeaseDriver {
  const path = posix.join(o.dir, leaseFileName(o.project, o.account));
  const call = async (op: "read" | "transfer", holder?: string): Promise<HostLease> => {
    const argv = [o.node ?? "node", "-e", HOST_PROGRAM, op, path, String(LEASE_TTL_MS), String(LEASE_LOCK_STALE_MS)];
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
