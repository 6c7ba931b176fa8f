/**
 * Which executor lease a node holds, from the deploy's variables or the workspace: `TRADEOPS_LEASE_BACKEND=postgres`
 * (the environment's PostgreSQL signal store holds the lease row, for order senders on many hosts),
 * `TRADEOPS_LEASE_DIR` (a file on this host), or — for a project that sends orders to a broker outside a deploy —
 * a file in the workspace's state directory, so two `tradeops serve` on one machine never both send.
 */
import { join } from "node:path";
import { LEASE_TTL_MS } from "../accounts/lease.js";
import { postgresLeaseStore } from "../accounts/lease-postgres.js";
import { fileLeaseStore, type LeaseStore, leaseAccount } from "../accounts/lease-store.js";
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import type { RunPlan } from "../runtime/plan.js";
import type { PreparedProject } from "../runtime/runner.js";
import { signalStoreLocation } from "../signals/open.js";
import type { Workspace } from "../workspace/types.js";

export interface NodeLease {
  readonly store?: LeaseStore;
  readonly ttlMs: number;
  /** the holder name: the release (`<release>@<host>` with TRADEOPS_LEASE_HOST), or `local:<pid>` outside a deploy */
  readonly holder: string;
  /** the release, when the holder name carries a host: its processes on other hosts stand by for the lease */
  readonly release?: string;
  /** TRADEOPS_ORDERS: off waits for a deploy to hand the lease over */
  readonly orders: boolean;
}

/**
 * @throws TroError TRO_ERR_USAGE for a malformed TRADEOPS_ORDERS or TRADEOPS_LEASE_BACKEND;
 *   TRO_ERR_LEASE_UNAVAILABLE when the PostgreSQL lease cannot be reached
 */
export async function openNodeLease(o: {
  readonly workspace: Workspace;
  readonly prepared: PreparedProject;
  readonly plan: RunPlan;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<NodeLease> {
  const { env, prepared } = o;
  const orders = ordersSwitch(env.TRADEOPS_ORDERS);
  const ttlMs = positive(env.TRADEOPS_LEASE_TTL_MS, "TRADEOPS_LEASE_TTL_MS") ?? LEASE_TTL_MS;
  const named = leaseHolderName(env);
  const holder = named.holder ?? `local:${process.pid}`;
  if (o.plan.mode === "backtest") return { ttlMs, holder, orders };
  const project = prepared.project.name;
  const account = env.TRADEOPS_LEASE_ACCOUNT || leaseAccount(prepared.project.accounts[prepared.environment]);
  const backend = env.TRADEOPS_LEASE_BACKEND;
  if (backend !== undefined && backend !== "" && backend !== "file" && backend !== "postgres") {
    throw new TroError("TRO_ERR_USAGE", `TRADEOPS_LEASE_BACKEND=${backend} is not file or postgres.`, {
      hint: "Set targets.<env>.<project>.lease in tradeops.yaml, which the deploy passes on.",
    });
  }
  if (backend === "postgres") {
    const location = signalStoreLocation(o.workspace, prepared.environment as EnvironmentName, env);
    if (location.backend !== "postgres") {
      throw new TroError(
        "TRO_ERR_USAGE",
        `The PostgreSQL lease needs environments.${prepared.environment}.signals.store to be postgres:URL.`,
        { hint: "Use the file lease for a single host, or point the signal store at PostgreSQL." },
      );
    }
    const store = await postgresLeaseStore({ url: location.url, display: location.display, project, account, ttlMs });
    return { store, ttlMs, holder, orders, ...(named.standsBy ? { release: named.release } : {}) };
  }
  if (env.TRADEOPS_LEASE_DIR) {
    return { store: fileLeaseStore({ dir: env.TRADEOPS_LEASE_DIR, project, account, ttlMs }), ttlMs, holder, orders };
  }
  const sends = prepared.project.sendsOrders !== false && o.plan.venue !== "simulated";
  if (!sends) return { ttlMs, holder, orders };
  const dir = join(o.workspace.root, ".tradeops", prepared.environment, "lease");
  return { store: fileLeaseStore({ dir, project, account, ttlMs }), ttlMs, holder, orders };
}

/**
 * The holder name a deployed process takes the lease under: its release (TRADEOPS_RELEASE), and with the PostgreSQL
 * lease across hosts `<release>@<host>` (TRADEOPS_LEASE_HOST), so that its processes on the other hosts stand by.
 */
export function leaseHolderName(env: Readonly<Record<string, string | undefined>>): {
  readonly holder?: string;
  readonly release?: string;
  /** whether processes of the release on other hosts stand by for this one's lease */
  readonly standsBy: boolean;
} {
  const release = env.TRADEOPS_RELEASE || undefined;
  if (release && env.TRADEOPS_LEASE_HOST)
    return { holder: `${release}@${env.TRADEOPS_LEASE_HOST}`, release, standsBy: true };
  return { holder: release, release, standsBy: false };
}

function ordersSwitch(value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "on") return true;
  if (value === "off") return false;
  throw new TroError("TRO_ERR_USAGE", `TRADEOPS_ORDERS=${value} is neither on nor off.`, {
    hint: "TRADEOPS_ORDERS=off starts the node in shadow: it records its decisions and sends nothing.",
  });
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) {
    throw new TroError("TRO_ERR_USAGE", `${name}=${value} is not a whole number of milliseconds above 0.`, {
      hint: `For example ${name}=30000.`,
    });
  }
  return n;
}
