/** The service host's public surface: what `tradeops serve` and TypeScript services build on. */
export type { TokenSource } from "./auth.js";
export type { HostLogger, TradingControls } from "./context.js";
export {
  createServiceHost,
  DEFAULT_BIND_HOST,
  type ServiceHost,
  type ServiceHostOptions,
  type SignalTarget,
} from "./host.js";
export type { DrainHook, DrainStep, HostState, ShutdownReport } from "./lifecycle.js";
export { parseCorsOrigins } from "./plugins/cors.js";
