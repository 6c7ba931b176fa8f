/**
 * Where a service's records go: the environment's signal log (through its recorder, which spools while the
 * store is away and says whether orders may be sent), or — for `serve --mode backtest`, whose decisions are
 * not real ones — counts in memory. Also the health component that shows the store's state.
 */
import type { EnvironmentName } from "../environment/names.js";
import type { ComponentSpec } from "../health/registry.js";
import type { Kernel } from "../runtime/kernel.js";
import type { RunPlan } from "../runtime/plan.js";
import { RecorderSink } from "../runtime/recorder-sink.js";
import { CountingSink, type SignalSink } from "../runtime/records.js";
import type { PreparedProject } from "../runtime/runner.js";
import { openSignalRecorder } from "../signals/open.js";
import type { SignalRecorder } from "../signals/recorder.js";
import type { Workspace } from "../workspace/types.js";
import type { ServiceLog } from "./service.js";

export interface ServiceRecords {
  readonly sink: SignalSink;
  readonly recorder?: SignalRecorder;
  readonly components: readonly ComponentSpec[];
  close(): Promise<void>;
}

export async function openServiceRecords(o: {
  workspace: Workspace;
  prepared: PreparedProject;
  plan: RunPlan;
  env: Readonly<Record<string, string | undefined>>;
  log: ServiceLog;
  /** the release, colour and fencing token every record carries */
  release?: string;
  color?: string;
  token?: () => number;
}): Promise<ServiceRecords> {
  if (o.plan.mode === "backtest") return { sink: new CountingSink(), components: [], close: async () => {} };
  const recorder = await openSignalRecorder({
    workspace: o.workspace,
    environment: o.prepared.environment as EnvironmentName,
    env: o.env,
  });
  const sink = new RecorderSink(recorder, {
    project: o.prepared.project.name,
    strategy: o.prepared.strategy.name,
    mode: o.plan.mode,
    configHash: o.prepared.config.hash,
    ...(o.release ? { release: o.release } : {}),
    ...(o.color ? { color: o.color } : {}),
    ...(o.token ? { token: o.token } : {}),
    onError: (error) =>
      o.log.error({ error: (error as Error).message }, "a batch of records was refused by the signal store"),
  });
  return {
    sink,
    recorder,
    components: [storeComponent(recorder)],
    async close() {
      await sink.flush();
      await recorder.close();
    },
  };
}

/** The signal store in level-2 health: degraded when optional and away, unhealthy when required and away. */
export function storeComponent(recorder: Pick<SignalRecorder, "status">): ComponentSpec {
  return {
    name: "signal_store",
    critical: false,
    read: (now) => {
      const s = recorder.status();
      return { status: s.status, errorCode: s.errorCode ?? null, checks: { orders_allowed: s.ordersAllowed }, at: now };
    },
  };
}

/** What a run did, for the last log line. */
export function runSummary(kernel: Kernel | undefined, bars: number | undefined): Record<string, unknown> {
  if (!kernel) return { bars };
  const p = kernel.portfolio;
  return {
    bars,
    fills: p.fills,
    trades: p.trades.length,
    equity: Math.round(p.equity * 100) / 100,
    state: kernel.tradingState.state,
  };
}
