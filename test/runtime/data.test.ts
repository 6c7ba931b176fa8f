/** Data sources: CSV bars, the sample data, the SQLite bar archive (the cache of live data) and replay. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isTroError } from "../../src/errors.js";
import { openBarArchive } from "../../src/runtime/data/archive.js";
import { allocateSeries, BarView, barAt, mergeSeries, seriesFromBars } from "../../src/runtime/data/bars.js";
import { parseCsvBars } from "../../src/runtime/data/csv.js";
import { replayBars } from "../../src/runtime/data/replay.js";
import { loadHistory, parseDataSpec } from "../../src/runtime/data/source.js";
import { sp500 } from "./fixtures.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "tradeops-data-"));
  dirs.push(d);
  return d;
};

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isTroError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected an error");
}

describe("CSV bars", () => {
  it("reads the real S&P 500 sample: 20 years of daily bars in order", () => {
    const s = sp500();
    expect(s.length).toBe(5105);
    expect(barAt(s, 0)).toEqual({
      symbol: "SPY",
      time: Date.UTC(2000, 0, 3),
      open: 1469.25,
      high: 1478,
      low: 1438.359985,
      close: 1455.219971,
      volume: 931_800_000,
    });
    expect(new Date(s.time[s.length - 1]!).toISOString().slice(0, 10)).toBe("2020-04-17");
  });

  it("accepts any column order, ISO times, epoch seconds and a symbol column", () => {
    const s = parseCsvBars(
      "symbol,close,open,low,high,volume,timestamp\nA,2,1,1,2,5,2024-01-02T14:30:00Z\nB,3,3,3,3,5,1704205800\nA,3,2,2,3,5,1704205860\n",
      "x.csv",
      "",
    );
    expect(s.symbols).toEqual(["A", "B"]);
    expect([...s.symbolIndex]).toEqual([0, 1, 0]);
  });

  it("names the file, the line and the fix for bad input", () => {
    expect(thrown(() => parseCsvBars("when,open\n", "bad.csv", "X"))).toEqual({
      code: "TRO_ERR_DATA_SOURCE",
      message: "bad.csv:1: the header lacks date, high, low, close, volume.",
    });
    expect(
      thrown(() => parseCsvBars("date,open,high,low,close,volume\n2024-01-02,1,2,1,x,5\n", "b.csv", "X")).message,
    ).toBe("b.csv:2: a bar needs a date and five numbers.");
    expect(
      thrown(() =>
        parseCsvBars("date,open,high,low,close,volume\n2024-01-03,1,2,1,1,5\n2024-01-02,1,2,1,1,5\n", "c.csv", "X"),
      ).message,
    ).toBe("c.csv: bar 2 (2024-01-02T00:00:00.000Z) is not after the bar before it.");
    expect(
      thrown(() => parseCsvBars("date,open,high,low,close,volume\n2024-01-02,1,2,1,3,5\n", "d.csv", "X")).message,
    ).toMatch(/open or close outside low\.\.high/);
  });
});

describe("the bar view", () => {
  it("shows every field of the bar it was moved to, however it was moved", () => {
    const bars = (closes: number[], t0: number) =>
      closes.map((c, i) => ({ time: t0 + i * 60_000, open: c - 1, high: c + 2, low: c - 2, close: c, volume: 10 + i }));
    const a = seriesFromBars("A", bars([10, 11, 12], 0), "a");
    const b = seriesFromBars("B", bars([20, 21, 22], 30_000), "b");
    const both = mergeSeries([a, b]);
    const view = new BarView(both);
    expect(view.toJSON()).toEqual(barAt(both, 0));
    for (let i = 0; i < both.length; i++) {
      if (i % 2) view.moveTo(i);
      else view.index = i;
      expect(view.index).toBe(i);
      expect(view.snapshot()).toEqual(barAt(both, i));
      expect({ ...barAt(both, i), close: view.close, time: view.time }).toEqual(barAt(both, i));
    }
    // another series under the same index: the close is the new series' one
    view.index = 1;
    view.series = a;
    expect([view.close, view.symbol, view.open]).toEqual([11, "A", 10]);
    // an empty series has no bar to show
    view.series = allocateSeries(["C"], 0);
    expect(view.close).toBeNaN();
  });
});

describe("data source specs", () => {
  it("parses every kind and refuses the rest in one sentence", () => {
    expect(parseDataSpec("sample:sp500", "--data")).toEqual({ kind: "sample", name: "sp500" });
    expect(parseDataSpec("csv:a/b.csv#SPY", "--data")).toEqual({ kind: "csv", path: "a/b.csv", symbol: "SPY" });
    expect(parseDataSpec("archive", "--data")).toEqual({ kind: "archive" });
    expect(parseDataSpec("alpaca", "--data")).toEqual({ kind: "alpaca" });
    expect(thrown(() => parseDataSpec("ftp://x", "--data"))).toEqual({
      code: "TRO_ERR_USAGE",
      message: '--data: "ftp://x" is not a data source.',
    });
  });

  it("a missing file or symbol is a data-source error naming it", () => {
    const root = temp();
    expect(thrown(() => loadHistory({ kind: "csv", path: "nope.csv" }, { symbols: ["SPY"], root })).message).toMatch(
      /^Cannot read bars from nope\.csv/,
    );
    writeFileSync(join(root, "two.csv"), "symbol,date,open,high,low,close,volume\nA,2024-01-02,1,1,1,1,1\n");
    expect(thrown(() => loadHistory({ kind: "csv", path: "two.csv" }, { symbols: ["SPY"], root })).message).toBe(
      "The data holds no bars for SPY.",
    );
  });
});

describe("the bar archive", () => {
  it("stores bars idempotently, reads ranges in order and reports coverage", () => {
    const archive = openBarArchive(join(temp(), "bars.db"));
    const bars = Array.from({ length: 5 }, (_, i) => barAt(sp500(5), i));
    expect(archive.write("1Day", bars.slice(0, 3), "test")).toBe(3);
    expect(archive.write("1Day", bars, "test")).toBe(2);
    const all = archive.read("SPY", "1Day");
    expect(all.length).toBe(5);
    expect(barAt(all, 4)).toEqual(bars[4]);
    expect(archive.read("SPY", "1Day", bars[1]!.time, bars[3]!.time).length).toBe(2);
    expect(archive.coverage("SPY", "1Day")).toEqual({ count: 5, first: bars[0]!.time, last: bars[4]!.time });
    expect(archive.coverage("SPY", "1Min")).toEqual({ count: 0 });
    expect(archive.symbols("1Day")).toEqual(["SPY"]);
    archive.close();
  });

  it("a backtest on an empty archive says how to fill it", () => {
    expect(thrown(() => loadHistory({ kind: "archive" }, { symbols: ["SPY"], root: temp() })).message).toBe(
      "The bar archive .tradeops/bars.db holds no 1Day bars for SPY.",
    );
  });

  it("a file that is not a database is refused in one sentence", () => {
    const path = join(temp(), "bars.db");
    writeFileSync(path, "not sqlite at all, just text that is long enough to be read as a header");
    expect(thrown(() => openBarArchive(path).read("SPY", "1Day")).code).toBe("TRO_ERR_DATA_SOURCE");
  });
});

describe("replay", () => {
  it("paces bars by their time divided by the speed, on an injected clock", async () => {
    const series = sp500(4); // daily bars: Mon, Tue, Wed, Thu
    let now = 0;
    const waits: number[] = [];
    const seen: number[] = [];
    for await (const bar of replayBars(series, {
      speed: 86_400, // a day per second
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    })) {
      seen.push(now);
      expect(bar.symbol).toBe("SPY");
    }
    expect(seen).toEqual([0, 1000, 2000, 3000]);
    expect(waits).toEqual([1000, 1000, 1000]);
  });

  it("stops at once when aborted", async () => {
    const abort = new AbortController();
    let n = 0;
    for await (const _ of replayBars(sp500(50), { speed: Number.POSITIVE_INFINITY, signal: abort.signal })) {
      if (++n === 3) abort.abort();
    }
    expect(n).toBe(3);
  });
});
