/**
 * Bars from CSV files: a header with a date or time column (`date`, `time`, `timestamp`, `t`) and `open`,
 * `high`, `low`, `close`, `volume` (any order, any case; extra columns such as `adjclose` are ignored). An
 * optional `symbol` column holds several symbols in one file. Dates without a time are UTC midnight.
 */
import { readFileSync } from "node:fs";
import { TroError } from "../../errors.js";
import type { Bar } from "../types.js";
import { type BarSeries, mergeSeries, seriesFromBars } from "./bars.js";

const TIME_COLUMNS = ["date", "time", "timestamp", "datetime", "t"];
const FIELDS = ["open", "high", "low", "close", "volume"] as const;

/**
 * Parses CSV text into one series per symbol, merged in time order. `symbol` names the bars of a file
 * without a symbol column.
 * @throws TroError TRO_ERR_DATA_SOURCE naming the file, the line and what is wrong
 */
export function parseCsvBars(text: string, where: string, symbol: string): BarSeries {
  const lines = text.split(/\r?\n/);
  const header = splitRow(lines[0] ?? "").map((h) => h.trim().toLowerCase());
  const timeCol = header.findIndex((h) => TIME_COLUMNS.includes(h));
  const symbolCol = header.indexOf("symbol");
  const cols = FIELDS.map((f) => header.indexOf(f));
  const missing = [...(timeCol < 0 ? ["date"] : []), ...FIELDS.filter((_, i) => cols[i]! < 0)];
  if (missing.length) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `${where}:1: the header lacks ${missing.join(", ")}.`, {
      hint: "The first line must name the columns: date,open,high,low,close,volume (symbol optional).",
    });
  }
  const bySymbol = new Map<string, Omit<Bar, "symbol">[]>();
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (!line.trim()) continue;
    const cells = splitRow(line);
    const time = parseTime(cells[timeCol] ?? "");
    const values = cols.map((c) => Number(cells[c]));
    if (!Number.isFinite(time) || values.some((v) => !Number.isFinite(v))) {
      throw new TroError("TRO_ERR_DATA_SOURCE", `${where}:${n + 1}: a bar needs a date and five numbers.`, {
        hint: `Fix or remove line ${n + 1}.`,
      });
    }
    const name = symbolCol >= 0 ? (cells[symbolCol] ?? "").trim() : symbol;
    const list = bySymbol.get(name) ?? [];
    bySymbol.set(name, list);
    list.push({
      time,
      open: values[0]!,
      high: values[1]!,
      low: values[2]!,
      close: values[3]!,
      volume: values[4]!,
    });
  }
  if (bySymbol.size === 0) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `${where} holds no bars.`, { hint: "Give a file with data rows." });
  }
  return mergeSeries([...bySymbol].map(([name, bars]) => seriesFromBars(name, bars, where)));
}

/**
 * Reads a CSV file of bars.
 * @throws TroError TRO_ERR_DATA_SOURCE when the file is missing, unreadable or malformed
 */
export function readCsvBars(path: string, symbol: string, shown = path): BarSeries {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `Cannot read bars from ${shown}: ${(cause as Error).message}.`, {
      cause,
      hint: "Check the path of the data source (--data or data.source in the config).",
    });
  }
  return parseCsvBars(text, shown, symbol);
}

function splitRow(line: string): string[] {
  return line.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
}

/** `2000-01-03`, an ISO timestamp, or epoch seconds/milliseconds. */
export function parseTime(text: string): number {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`);
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    return n < 1e11 ? n * 1000 : n;
  }
  return Date.parse(value);
}
