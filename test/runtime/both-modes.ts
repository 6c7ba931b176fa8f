/**
 * Runs one strategy over one series in backtest mode and in paper mode (an accelerated replay against the
 * simulated broker), with the same operator actions applied before the same bars, and returns both record
 * sequences: the risk tests assert they are equal and that the rule tripped.
 */
import { SimulatedClock } from "../../src/runtime/clock.js";
import type { BarSeries } from "../../src/runtime/data/bars.js";
import { replayBars } from "../../src/runtime/data/replay.js";
import { simulationSettings } from "../../src/runtime/execution/models.js";
import { SimulatedBroker } from "../../src/runtime/execution/simulated-broker.js";
import { Kernel } from "../../src/runtime/kernel.js";
import { runPaper } from "../../src/runtime/modes/paper.js";
import { MemorySink, type RuntimeRecord } from "../../src/runtime/records.js";
import { type RiskSettings, riskSettings } from "../../src/runtime/risk/settings.js";
import type { Strategy } from "../../src/runtime/strategy.js";
import type { Bar } from "../../src/runtime/types.js";

/** Something an operator (or the idle monitor, or the signal store) does before bar `at`. */
export interface Action {
  readonly at: number;
  readonly run: (kernel: Kernel) => void;
}

export interface BothOptions<P, S> {
  readonly strategy: Strategy<P, S>;
  readonly params?: P;
  readonly series: BarSeries;
  readonly risk?: Partial<RiskSettings>;
  readonly actions?: readonly Action[];
  readonly cash?: number;
}

export interface ModeResult {
  readonly records: RuntimeRecord[];
  readonly kernel: Kernel;
}

const simulation = simulationSettings({ fees: { perShare: 0.01, minimum: 1 }, slippageBps: 1 });

export async function runBoth<P, S>(o: BothOptions<P, S>): Promise<{ backtest: ModeResult; paper: ModeResult }> {
  return { backtest: backtest(o), paper: await paper(o) };
}

function backtest<P, S>(o: BothOptions<P, S>): ModeResult {
  const sink = new MemorySink();
  const kernel = new Kernel({
    strategy: o.strategy as Strategy,
    params: o.params ?? {},
    symbols: o.series.symbols,
    clock: new SimulatedClock(o.series.time[0]),
    venue: new SimulatedBroker(simulation),
    sink,
    risk: riskSettings(o.risk),
    initialCash: o.cash ?? 100_000,
    runtime: { mode: "backtest", environment: "test", venue: "simulated", data: "test" },
    runId: "t",
  });
  kernel.start();
  const cuts = [...new Set((o.actions ?? []).map((a) => a.at))].sort((a, b) => a - b);
  let from = 0;
  for (const at of [...cuts, o.series.length]) {
    kernel.runSeries(o.series, from, at);
    for (const action of o.actions ?? []) if (action.at === at) action.run(kernel);
    from = at;
  }
  kernel.stop();
  return { records: sink.records, kernel };
}

async function paper<P, S>(o: BothOptions<P, S>): Promise<ModeResult> {
  const sink = new MemorySink();
  let kernel!: Kernel;
  let index = 0;
  async function* bars(): AsyncGenerator<Bar> {
    for await (const bar of replayBars(o.series, { speed: Number.POSITIVE_INFINITY })) {
      for (const action of o.actions ?? []) if (action.at === index) action.run(kernel);
      index++;
      yield bar;
    }
  }
  const handle = await runPaper({
    strategy: o.strategy as Strategy,
    params: o.params ?? {},
    symbols: o.series.symbols,
    feed: { kind: "live", bars: bars(), clock: "bars", description: "replay" },
    venue: new SimulatedBroker(simulation),
    sink,
    risk: riskSettings(o.risk),
    initialCash: o.cash ?? 100_000,
    environment: "test",
    runId: "t",
    prepare: (k) => {
      kernel = k as Kernel;
    },
  });
  await handle.done;
  return { records: sink.records, kernel };
}

/** Records without their sequence numbers, for comparing modes. */
export const view = (records: readonly RuntimeRecord[]) =>
  records.map(({ time, kind, symbol, payload }) => ({ time, kind, symbol, payload }));

export const refusals = (records: readonly RuntimeRecord[], rule: string) =>
  records.filter((r) => r.kind === "rejected" && r.payload.rule === rule);
