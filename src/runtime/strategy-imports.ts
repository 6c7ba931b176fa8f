/**
 * Why: which `tradeops` entry a strategy module gets. The light SDK entry (src/sdk.ts) when the module's imports
 * from `tradeops` are all names it exports and the module imports no files of its own (they could import anything
 * from `tradeops`); the full library otherwise. Read from the source text: a guess that is wrong only costs speed.
 */

/** Every name src/sdk.ts exports, values and types (tests compare it with the module). */
export const SDK_NAMES: ReadonlySet<string> = new Set([
  "z",
  "Consensus",
  "ConsensusOptions",
  "ConsensusResult",
  "consensus",
  "allocateSeries",
  "BarSeries",
  "BarView",
  "Momentum",
  "momentum",
  "Sma",
  "sma",
  "defineStrategy",
  "FillEvent",
  "isStrategy",
  "OrderView",
  "PositionView",
  "Strategy",
  "StrategyContext",
  "StrategyDefinition",
  "Bar",
  "ExecutionMode",
  "OrderRequest",
  "RuntimeInfo",
  "Side",
  "StrategySignal",
  "TradingState",
]);

const FROM_TRADEOPS = /\b(import|export)\s+([^;]*?)\s*from\s*["']tradeops["']/g;
const OTHER_USE = /\b(?:import|require)\s*\(\s*["']tradeops["']|^\s*import\s+["']tradeops["']/m;
const RELATIVE = /\bfrom\s*["']\.{1,2}\/|\b(?:import|require)\s*\(\s*["']\.{1,2}\/|^\s*import\s+["']\.{1,2}\//m;

/** True when the strategy source can be given the SDK entry for `tradeops`. */
export function usesSdkOnly(source: string): boolean {
  if (OTHER_USE.test(source) || RELATIVE.test(source)) return false;
  for (const m of source.matchAll(FROM_TRADEOPS)) {
    if (m[1] === "export") return false;
    const clause = m[2]!.replace(/^type\s+/, "");
    const names = /^\{([^}]*)\}$/.exec(clause.trim());
    if (!names) return false; // a default or namespace import
    for (const part of names[1]!.split(",")) {
      const name = part
        .trim()
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)[0]!
        .trim();
      if (name && !SDK_NAMES.has(name)) return false;
    }
  }
  return true;
}
