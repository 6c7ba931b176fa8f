/**
 * Why: a strategy module imports `tradeops` for the strategy API alone (defineStrategy, the indicators, z); loading
 * the whole library for it (the service host with Fastify, the signal log, the AWS clients) was most of a trading
 * node's strategy phase. A strategy whose imports from `tradeops` are all named here gets this entry (see
 * runtime/load-strategy.ts); any other gets the full library. Same modules as the library's: one `isStrategy` brand.
 */
export * as z from "zod";
export { Consensus, type ConsensusOptions, type ConsensusResult, consensus } from "./runtime/consensus.js";
export { allocateSeries, type BarSeries, BarView } from "./runtime/data/bars.js";
export { Momentum, momentum, Sma, sma } from "./runtime/indicators.js";
export {
  defineStrategy,
  type FillEvent,
  isStrategy,
  type OrderView,
  type PositionView,
  type Strategy,
  type StrategyContext,
  type StrategyDefinition,
} from "./runtime/strategy.js";
export type {
  Bar,
  ExecutionMode,
  OrderRequest,
  RuntimeInfo,
  Side,
  StrategySignal,
  TradingState,
} from "./runtime/types.js";
