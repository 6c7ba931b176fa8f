/**
 * The bar archive: a SQLite file of bars per symbol and timeframe. It is what backtests and replays read,
 * and the cache that live data is written into as it arrives (the seeds' USE_ARCHIVED_DATA: a run on
 * archived data needs no network). Writes are idempotent: the same bar written twice is one bar.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { TroError } from "../../errors.js";
import type { Bar } from "../types.js";
import { allocateSeries, type BarSeries, isoOf } from "./bars.js";

export interface Coverage {
  readonly count: number;
  readonly first?: number;
  readonly last?: number;
}

export interface BarArchive {
  readonly path: string;
  /** Stores bars (replacing bars with the same symbol, timeframe and time); returns how many were new. */
  write(timeframe: string, bars: readonly Bar[], source: string): number;
  /** The bars of one symbol with `from ≤ time < to`, in time order. */
  read(symbol: string, timeframe: string, from?: number, to?: number): BarSeries;
  coverage(symbol: string, timeframe: string): Coverage;
  symbols(timeframe: string): string[];
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bars (
  symbol TEXT NOT NULL, timeframe TEXT NOT NULL, time INTEGER NOT NULL,
  open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (symbol, timeframe, time)
) WITHOUT ROWID;
`;

interface Row {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Opens (creating when needed) the archive at `path`.
 * @throws TroError TRO_ERR_DATA_SOURCE when the file cannot be opened or is not a bar archive
 */
export function openBarArchive(path: string): BarArchive {
  let db: BetterSqlite3.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.exec(SCHEMA);
  } catch (cause) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `Cannot open the bar archive ${path}: ${(cause as Error).message}.`, {
      cause,
      hint: "Check the path and its permissions, or remove a file that is not a SQLite database.",
    });
  }
  const insert = db.prepare(
    "INSERT OR REPLACE INTO bars (symbol, timeframe, time, open, high, low, close, volume, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const exists = db.prepare("SELECT 1 FROM bars WHERE symbol = ? AND timeframe = ? AND time = ?");
  const select = db.prepare(
    "SELECT time, open, high, low, close, volume FROM bars WHERE symbol = ? AND timeframe = ? AND time >= ? AND time < ? ORDER BY time",
  );
  const cover = db.prepare(
    "SELECT COUNT(*) AS count, MIN(time) AS first, MAX(time) AS last FROM bars WHERE symbol = ? AND timeframe = ?",
  );
  const list = db.prepare("SELECT DISTINCT symbol FROM bars WHERE timeframe = ? ORDER BY symbol");
  const writeMany = db.transaction((timeframe: string, bars: readonly Bar[], source: string) => {
    let added = 0;
    for (const b of bars) {
      if (!exists.get(b.symbol, timeframe, b.time)) added++;
      insert.run(b.symbol, timeframe, b.time, b.open, b.high, b.low, b.close, b.volume, source);
    }
    return added;
  });
  return {
    path,
    write: (timeframe, bars, source) => writeMany(timeframe, bars, source) as number,
    read(symbol, timeframe, from = Number.MIN_SAFE_INTEGER, to = Number.MAX_SAFE_INTEGER) {
      const rows = select.all(symbol, timeframe, from, to) as Row[];
      const series = allocateSeries([symbol], rows.length);
      rows.forEach((r, i) => {
        series.time[i] = r.time;
        series.open[i] = r.open;
        series.high[i] = r.high;
        series.low[i] = r.low;
        series.close[i] = r.close;
        series.volume[i] = r.volume;
      });
      return series;
    },
    coverage(symbol, timeframe) {
      const row = cover.get(symbol, timeframe) as { count: number; first: number | null; last: number | null };
      return row.count ? { count: row.count, first: row.first!, last: row.last! } : { count: 0 };
    },
    symbols: (timeframe) => (list.all(timeframe) as { symbol: string }[]).map((r) => r.symbol),
    close: () => db.close(),
  };
}

/** `SPY 1Day: 5104 bars, 2000-01-03 … 2020-04-17` */
export function describeCoverage(symbol: string, timeframe: string, c: Coverage): string {
  if (!c.count) return `${symbol} ${timeframe}: no bars`;
  return `${symbol} ${timeframe}: ${c.count} bars, ${isoOf(c.first!).slice(0, 10)} … ${isoOf(c.last!).slice(0, 10)}`;
}
