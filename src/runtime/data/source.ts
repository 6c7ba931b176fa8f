/**
 * Data source specs, as written in `--data` or a project's `data.source`: `sample:sp500`, `csv:PATH`,
 * `archive` (the workspace's bar archive, or `archive:PATH`) and `alpaca` (live bars from the broker).
 * A one-symbol file may name its symbol (`csv:spy.csv#SPY`); otherwise it stands for the strategy's symbol
 * when the strategy trades one.
 */
import { isAbsolute, join, relative } from "node:path";
import { TroError } from "../../errors.js";
import { openBarArchive } from "./archive.js";
import { type BarSeries, mergeSeries, sliceSeries } from "./bars.js";
import { readCsvBars } from "./csv.js";
import { SAMPLES, samplePath } from "./sample.js";

export type DataSpec =
  | { readonly kind: "sample"; readonly name: string; readonly symbol?: string }
  | { readonly kind: "csv"; readonly path: string; readonly symbol?: string }
  | { readonly kind: "archive"; readonly path?: string }
  | { readonly kind: "alpaca" };

/** The default archive, relative to the workspace root. */
export const DEFAULT_ARCHIVE = ".tradeops/bars.db";
export const DEFAULT_TIMEFRAME = "1Day";

/**
 * Reads a spec.
 * @throws TroError TRO_ERR_USAGE naming where the spec came from and what it should look like
 */
export function parseDataSpec(text: string, where: string): DataSpec {
  const value = text.trim();
  const [head, symbol] = value.split("#") as [string, string | undefined];
  const withSymbol = symbol ? { symbol } : {};
  if (head.startsWith("sample:")) return { kind: "sample", name: head.slice(7), ...withSymbol };
  if (head.startsWith("csv:") && head.length > 4) return { kind: "csv", path: head.slice(4), ...withSymbol };
  if (head === "archive") return { kind: "archive" };
  if (head.startsWith("archive:") && head.length > 8) return { kind: "archive", path: head.slice(8) };
  if (head === "alpaca") return { kind: "alpaca" };
  throw new TroError("TRO_ERR_USAGE", `${where}: "${text}" is not a data source.`, {
    hint: "Use sample:sp500, csv:PATH[#SYMBOL], archive[:PATH] or alpaca.",
  });
}

export function describeSpec(spec: DataSpec): string {
  switch (spec.kind) {
    case "sample":
      return `sample:${spec.name} (${SAMPLES[spec.name as keyof typeof SAMPLES]?.description ?? "sample"})`;
    case "csv":
      return `csv:${spec.path}${spec.symbol ? `#${spec.symbol}` : ""}`;
    case "archive":
      return `archive:${spec.path ?? DEFAULT_ARCHIVE}`;
    case "alpaca":
      return "alpaca (live bars, cached in the archive)";
  }
}

/**
 * What a symbol's bars are, in words, for reports: the sample names the index it is (`S&P 500 index level
 * (daily) as SPY`); a file or archive holds the symbol itself.
 */
export function instrumentLabel(spec: DataSpec, symbol: string): string {
  if (spec.kind === "sample") {
    const label = SAMPLES[spec.name as keyof typeof SAMPLES]?.label;
    return label ? `${label} as ${symbol}` : symbol;
  }
  return symbol;
}

/** Whether the spec is history (a backtest or a replay can run on it) or a live feed. */
export function isHistorical(spec: DataSpec): boolean {
  return spec.kind !== "alpaca";
}

export interface HistoryOptions {
  readonly symbols: readonly string[];
  /** workspace root: relative paths are resolved against it */
  readonly root: string;
  readonly timeframe?: string;
  readonly from?: number;
  readonly to?: number;
}

/**
 * Loads the bars of every symbol, merged in time order (symbols in the order given).
 * @throws TroError TRO_ERR_DATA_SOURCE when a file is missing or malformed, or a symbol has no bars
 */
export function loadHistory(spec: DataSpec, options: HistoryOptions): BarSeries {
  const { symbols, root } = options;
  const timeframe = options.timeframe ?? DEFAULT_TIMEFRAME;
  let all: BarSeries[];
  if (spec.kind === "alpaca") return loadHistory({ kind: "archive" }, options);
  if (spec.kind === "archive") {
    const path = resolvePath(root, spec.path ?? DEFAULT_ARCHIVE);
    const archive = openBarArchive(path);
    try {
      all = symbols.map((s) => archive.read(s, timeframe, options.from, options.to));
    } finally {
      archive.close();
    }
    const empty = symbols.filter((_, i) => all[i]!.length === 0);
    if (empty.length) {
      throw new TroError(
        "TRO_ERR_DATA_SOURCE",
        `The bar archive ${relative(root, path) || path} holds no ${timeframe} bars for ${empty.join(", ")}.`,
        { hint: "Run once with live data (it fills the archive), or use --data sample:sp500 or csv:FILE." },
      );
    }
  } else {
    const file = spec.kind === "sample" ? samplePath(spec.name) : resolvePath(root, spec.path);
    const shown = spec.kind === "sample" ? `sample:${spec.name}` : spec.path;
    const fallback = spec.symbol ?? (symbols.length === 1 ? symbols[0]! : "");
    const series = readCsvBars(file, fallback, shown);
    all = splitBySymbol(series, symbols);
  }
  return sliceSeries(mergeSeries(all.map((s) => s)), options.from, options.to);
}

function splitBySymbol(series: BarSeries, symbols: readonly string[]): BarSeries[] {
  const missing = symbols.filter((s) => !series.symbols.includes(s));
  if (missing.length) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `The data holds no bars for ${missing.join(", ")}.`, {
      hint: `It holds ${series.symbols.join(", ")}; name the symbol with #SYMBOL, or trade what it holds.`,
    });
  }
  if (series.symbols.length === 1) return [series];
  return symbols.map((symbol) => pickSymbol(series, symbol));
}

function pickSymbol(series: BarSeries, symbol: string): BarSeries {
  const index = series.symbols.indexOf(symbol);
  const rows: number[] = [];
  for (let i = 0; i < series.length; i++) if (series.symbolIndex[i] === index) rows.push(i);
  const pick = (a: Float64Array) => Float64Array.from(rows, (i) => a[i]!);
  return {
    symbols: [symbol],
    length: rows.length,
    time: pick(series.time),
    open: pick(series.open),
    high: pick(series.high),
    low: pick(series.low),
    close: pick(series.close),
    volume: pick(series.volume),
    symbolIndex: new Uint16Array(rows.length),
  };
}

export function resolvePath(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
