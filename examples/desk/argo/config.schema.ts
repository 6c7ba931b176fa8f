// The argo strategy's configuration. Keys marked sensitive are never printed or logged, and must be
// placeholders in files meant for production (`tradeops config check`).
import * as z from "zod";

const alpacaAccount = z.strictObject({
  api_key: z.string().meta({ sensitive: true, description: "Alpaca key id" }),
  secret_key: z.string().meta({ sensitive: true, description: "Alpaca secret key" }),
  paper: z.boolean().describe("true for a paper account"),
  account_name: z.string().describe("the account name the broker must report"),
});

export const schema = z.strictObject({
  alpaca: z.strictObject({
    dev: alpacaAccount,
    production: alpacaAccount,
  }),
  trading: z.strictObject({
    auto_execute: z.boolean().describe("send orders automatically (false: signals only)"),
    read_only: z.boolean().default(false).describe("never send orders, whatever else says"),
    symbols: z.array(z.string().regex(/^[A-Z.]+$/)).min(1),
    interval_seconds: z.number().positive().describe("how often the consensus is evaluated"),
  }),
  strategy: z.strictObject({
    fast_window: z.int().min(2),
    slow_window: z.int().min(3),
    momentum_window: z.int().min(2),
  }),
  consensus: z.strictObject({
    weights: z.record(z.string(), z.number().min(0)),
    threshold: z.number().min(0).max(1),
  }),
  risk: z.strictObject({
    max_trade_usd: z.number().min(0).describe("largest single order, in USD"),
    max_position_usd: z.number().min(0),
    max_orders_per_minute: z.int().min(1),
    emergency_stop_loss_pct: z.number().min(0).max(1).describe("halt when the drawdown reaches this fraction"),
    circuit_breaker_errors: z.int().min(1),
    heartbeat_timeout_seconds: z.number().positive(),
  }),
  instruments: z
    .record(
      z.string(),
      z.strictObject({
        lot_size: z.number().min(0).describe("smallest tradable quantity; less than this held counts as flat"),
        min_notional: z.number().min(0).describe("smallest order value in USD; a smaller position counts as flat"),
      }),
    )
    .default({})
    .describe("per symbol: when a simulated position is too small to trade (backtests and simulated paper)"),
  data: z.strictObject({
    source: z.string().describe("where bars come from: sample:sp500, csv:PATH, archive or alpaca (live)"),
    timeframe: z.string().default("1Day").describe("bar timeframe: 1Min, 1Hour, 1Day …"),
  }),
  api: z.strictObject({
    host: z.string().default("127.0.0.1"),
    cors_origins: z.array(z.string()).default([]),
  }),
  notes: z
    .string()
    .optional()
    .meta({ "x-optional-in": ["development", "test"] }),
});

export type ArgoConfig = z.output<typeof schema>;
