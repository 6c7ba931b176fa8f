/**
 * The runtime's settings, read from a project's config by well-known keys; a project sets what it needs and
 * the rest has a safe default. `docs/runtime.md` lists every key:
 *   trading.auto_execute, trading.read_only
 *   risk.max_trade_usd, risk.max_position_usd, risk.max_orders_per_minute, risk.emergency_stop_loss_pct,
 *   risk.flatten_on_stop_loss, risk.circuit_breaker_errors, risk.circuit_breaker_window_seconds,
 *   risk.heartbeat_timeout_seconds
 *   data.source, data.timeframe, data.replay_speed, data.archive
 *   backtest.initial_cash, backtest.fee_bps, backtest.fee_per_share, backtest.fee_minimum,
 *   backtest.slippage_bps, backtest.volume_limit_pct, backtest.allow_short, backtest.close_at_end
 *   instruments.<SYMBOL>.lot_size, instruments.<SYMBOL>.min_notional
 */
import { type Problem, TroError } from "../errors.js";
import { type DataSpec, DEFAULT_ARCHIVE, DEFAULT_TIMEFRAME, parseDataSpec } from "./data/source.js";
import { type SimulationSettings, simulationSettings } from "./execution/models.js";
import { DEFAULT_INITIAL_CASH } from "./modes/backtest.js";
import type { DustThreshold } from "./portfolio.js";
import { DEFAULT_CIRCUIT_BREAKER_WINDOW_MS, type RiskSettings, riskSettings } from "./risk/settings.js";

export interface RuntimeSettings {
  readonly risk: RiskSettings;
  readonly simulation: SimulationSettings;
  readonly initialCash: number;
  readonly autoExecute: boolean;
  readonly data?: DataSpec;
  readonly timeframe: string;
  /** replay speed in paper mode: times faster than real time */
  readonly replaySpeed: number;
  /** the bar archive, relative to the workspace root */
  readonly archive: string;
  /** per symbol: below a lot or below the minimum notional a position counts as flat (simulated venues) */
  readonly instruments: Readonly<Record<string, DustThreshold>>;
  /** close every position at the last bar's close when a backtest ends (else they are listed as open trades) */
  readonly closeAtEnd: boolean;
}

/** The dust thresholds of the given symbols, in their order (undefined: none configured). */
export function dustFor(
  settings: Partial<Pick<RuntimeSettings, "instruments">>,
  symbols: readonly string[],
): (DustThreshold | undefined)[] | undefined {
  const list = symbols.map((s) => settings.instruments?.[s]);
  return list.some((d) => d !== undefined) ? list : undefined;
}

/** A day of daily bars per 0.1 s: a 20-year archive replays in about 12 minutes, first signals within seconds. */
export const DEFAULT_REPLAY_SPEED = 864_000;

/**
 * Reads the runtime settings from a project's (already validated) config values.
 * @throws TroError TRO_ERR_CONFIG_INVALID listing every key of the wrong type
 */
export function runtimeSettings(config: unknown, where: string): RuntimeSettings {
  const problems: Problem[] = [];
  const read = reader(config, problems);
  const pct = (key: string) => read.number(key, 0, 0, 1);
  const limit = (key: string) => read.number(key, Number.POSITIVE_INFINITY, 0);
  const source = read.string("data.source");
  let data: DataSpec | undefined;
  if (source !== undefined) {
    try {
      data = parseDataSpec(source, `${where} data.source`);
    } catch (error) {
      problems.push({ key: "data.source", message: (error as TroError).message });
    }
  }
  const result: RuntimeSettings = {
    risk: riskSettings({
      maxTradeUsd: limit("risk.max_trade_usd"),
      maxPositionUsd: limit("risk.max_position_usd"),
      maxOrdersPerMinute: read.number("risk.max_orders_per_minute", 100, 1),
      readOnly: read.boolean("trading.read_only", false),
      autoExecute: read.boolean("trading.auto_execute", true),
      emergencyStopLossPct: pct("risk.emergency_stop_loss_pct"),
      flattenOnStopLoss: read.boolean("risk.flatten_on_stop_loss", false),
      circuitBreakerErrors: read.number("risk.circuit_breaker_errors", 5, 1),
      circuitBreakerWindowMs:
        read.number("risk.circuit_breaker_window_seconds", DEFAULT_CIRCUIT_BREAKER_WINDOW_MS / 1000, 0) * 1000,
      heartbeatTimeoutMs: read.number("risk.heartbeat_timeout_seconds", Number.POSITIVE_INFINITY, 0) * 1000,
    }),
    simulation: simulationSettings({
      fees: {
        bps: read.number("backtest.fee_bps", 0, 0),
        perShare: read.number("backtest.fee_per_share", 0, 0),
        minimum: read.number("backtest.fee_minimum", 0, 0),
      },
      slippageBps: read.number("backtest.slippage_bps", 0, 0),
      volumeLimitPct: pct("backtest.volume_limit_pct"),
      allowShort: read.boolean("backtest.allow_short", false),
    }),
    initialCash: read.number("backtest.initial_cash", DEFAULT_INITIAL_CASH, 0),
    autoExecute: read.boolean("trading.auto_execute", true),
    ...(data ? { data } : {}),
    timeframe: read.string("data.timeframe") ?? DEFAULT_TIMEFRAME,
    replaySpeed: read.number("data.replay_speed", DEFAULT_REPLAY_SPEED, 0),
    archive: read.string("data.archive") ?? DEFAULT_ARCHIVE,
    instruments: readInstruments(read),
    closeAtEnd: read.boolean("backtest.close_at_end", false),
  };
  if (problems.length) {
    throw new TroError("TRO_ERR_CONFIG_INVALID", `The runtime settings in ${where} are not usable.`, {
      problems,
      hint: "Fix the keys listed above (docs/runtime.md lists what each one means).",
    });
  }
  return result;
}

function readInstruments(read: ReturnType<typeof reader>): Record<string, DustThreshold> {
  const out: Record<string, DustThreshold> = {};
  for (const symbol of read.keys("instruments")) {
    out[symbol] = {
      lotSize: read.number(`instruments.${symbol}.lot_size`, 0, 0),
      minNotional: read.number(`instruments.${symbol}.min_notional`, 0, 0),
    };
  }
  return out;
}

function reader(config: unknown, problems: Problem[]) {
  const at = (key: string): unknown =>
    key
      .split(".")
      .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), config);
  return {
    keys(key: string): string[] {
      const v = at(key);
      return v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : [];
    },
    number(key: string, fallback: number, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
      const v = at(key);
      if (v === undefined || v === null) return fallback;
      if (typeof v !== "number" || !(v >= min && v <= max)) {
        problems.push({
          key,
          message: "must be a number",
          expected: `a number in ${min}..${max}`,
          got: JSON.stringify(v),
        });
        return fallback;
      }
      return v;
    },
    boolean(key: string, fallback: boolean): boolean {
      const v = at(key);
      if (v === undefined || v === null) return fallback;
      if (typeof v !== "boolean") {
        problems.push({ key, message: "must be true or false", expected: "a boolean", got: JSON.stringify(v) });
        return fallback;
      }
      return v;
    },
    string(key: string): string | undefined {
      const v = at(key);
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "string" || !v.trim()) {
        problems.push({ key, message: "must be a non-empty string", expected: "a string", got: JSON.stringify(v) });
        return undefined;
      }
      return v;
    },
  };
}
