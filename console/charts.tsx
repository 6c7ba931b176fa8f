/** Price with entry and exit markers, and equity with drawdown, drawn by lightweight-charts. */
import {
  AreaSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "preact/hooks";
import type { Book, Series } from "./api.js";

const COLORS = { text: "#1f2328", grid: "#e6e8eb", price: "#0b57d0", equity: "#1a7f37", drawdown: "#b3261e" };

/** Ascending, one point per time (a chart refuses anything else). */
function points(series: Series): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (const [t, v] of series) {
    if (!Number.isFinite(v)) continue;
    const time = Math.floor(t) as UTCTimestamp;
    if (out.length && out[out.length - 1]!.time >= time) continue;
    out.push({ time, value: v });
  }
  return out;
}

function useChart(height: number) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  useEffect(() => {
    if (!box.current) return;
    chart.current = createChart(box.current, {
      height,
      autoSize: true,
      layout: { textColor: COLORS.text, background: { color: "#ffffff" }, attributionLogo: false },
      grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
      timeScale: { timeVisible: true },
    });
    return () => chart.current?.remove();
  }, [height]);
  return { box, chart };
}

export function PriceChart({ book, symbol }: { book: Book; symbol: string }) {
  const { box, chart } = useChart(280);
  const series = useRef<ISeriesApi<"Line"> | undefined>(undefined);
  const markers = useRef<ReturnType<typeof createSeriesMarkers<Time>> | undefined>(undefined);
  useEffect(() => {
    if (!chart.current) return;
    series.current ??= chart.current.addSeries(LineSeries, { color: COLORS.price, lineWidth: 2 });
    markers.current ??= createSeriesMarkers(series.current, []);
    const data = points(book.prices[symbol] ?? []);
    series.current.setData(data);
    const first = data[0]?.time ?? 0;
    const m: SeriesMarker<Time>[] = [];
    for (const t of book.trades.filter((x) => x.symbol === symbol)) {
      const entry = Math.floor(Date.parse(t.entryTime) / 1000) as UTCTimestamp;
      const exit = Math.floor(Date.parse(t.exitTime) / 1000) as UTCTimestamp;
      const long = t.direction === "long";
      if (entry >= first)
        m.push({
          time: entry,
          position: long ? "belowBar" : "aboveBar",
          shape: long ? "arrowUp" : "arrowDown",
          color: "#1a7f37",
          text: "entry",
        });
      if (exit >= first)
        m.push({
          time: exit,
          position: long ? "aboveBar" : "belowBar",
          shape: long ? "arrowDown" : "arrowUp",
          color: "#b3261e",
          text: "exit",
        });
    }
    markers.current.setMarkers(m.sort((a, b) => Number(a.time) - Number(b.time)));
    chart.current.timeScale().fitContent();
  }, [book, symbol]);
  return <div ref={box} class="chart" role="img" aria-label={`${symbol} price with entry and exit markers`} />;
}

export function EquityChart({ book }: { book: Book }) {
  const { box, chart } = useChart(300);
  const equity = useRef<ISeriesApi<"Line"> | undefined>(undefined);
  const drawdown = useRef<ISeriesApi<"Area"> | undefined>(undefined);
  useEffect(() => {
    if (!chart.current) return;
    equity.current ??= chart.current.addSeries(LineSeries, { color: COLORS.equity, lineWidth: 2 });
    // the drawdown in its own pane below the equity, in percent
    drawdown.current ??= chart.current.addSeries(
      AreaSeries,
      {
        lineColor: COLORS.drawdown,
        topColor: "rgba(179,38,30,0.3)",
        bottomColor: "rgba(179,38,30,0.05)",
        invertFilledArea: true,
        priceFormat: { type: "percent" },
      },
      1,
    );
    const eq = points(book.equityCurve);
    equity.current.setData(eq);
    let peak = Number.NEGATIVE_INFINITY;
    drawdown.current.setData(
      eq.map((p) => {
        peak = Math.max(peak, p.value);
        return { time: p.time, value: peak > 0 ? -((peak - p.value) / peak) * 100 : 0 };
      }),
    );
    chart.current.timeScale().fitContent();
  }, [book]);
  return <div ref={box} class="chart" role="img" aria-label="equity, and below it the drawdown in percent" />;
}
