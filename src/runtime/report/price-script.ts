/**
 * The price chart's script: TradingView's lightweight-charts (Apache-2.0) read from node_modules and inlined,
 * the chart's data as a JSON block, and a few lines that draw closes, the strategy's plotted lines and the
 * entry/exit markers, with a crosshair on hover. Inlined so the page stays one file that opens offline.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TroError } from "../../errors.js";
import type { PriceChart } from "./chart-data.js";

let library: string | undefined;

/** @throws TroError TRO_ERR_INTERNAL when the lightweight-charts package is missing */
function chartLibrary(): string {
  if (library !== undefined) return library;
  try {
    const pkg = createRequire(import.meta.url).resolve("lightweight-charts/package.json");
    library = readFileSync(join(dirname(pkg), "dist", "lightweight-charts.standalone.production.js"), "utf8");
    return library;
  } catch (cause) {
    throw new TroError(
      "TRO_ERR_INTERNAL",
      "The lightweight-charts package that draws the report's price chart is missing.",
      {
        cause,
        hint: "Run `npm install` in the tradeops package.",
      },
    );
  }
}

/** Markers carry their text only when there are few enough to read. */
const LABELLED_MARKERS = 80;

export function priceChartScript(chart: PriceChart): string {
  const data = JSON.stringify({ ...chart, labelled: chart.markers.length <= LABELLED_MARKERS }).replace(
    /</g,
    "\\u003c",
  );
  return `<script>${chartLibrary()}</script>
<script type="application/json" id="price-data">${data}</script>
<script>${DRAW}</script>`;
}

const DRAW = `(function () {
  var data = JSON.parse(document.getElementById("price-data").textContent);
  var el = document.getElementById("price-chart");
  var LC = window.LightweightCharts;
  if (!LC || !el || data.closes.length < 2) return;
  var chart = LC.createChart(el, {
    autoSize: true,
    layout: { background: { color: "#ffffff" }, textColor: "#667085", fontSize: 11 },
    grid: { vertLines: { color: "#f2f4f7" }, horzLines: { color: "#f2f4f7" } },
    rightPriceScale: { borderColor: "#e4e7ec" },
    timeScale: { borderColor: "#e4e7ec", minBarSpacing: 0.001 },
    crosshair: { mode: 0 }
  });
  var pts = function (list) { return list.map(function (p) { return { time: p[0], value: p[1] }; }); };
  var price = chart.addSeries(LC.LineSeries, { color: "#1d2330", lineWidth: 1, title: data.symbol, priceLineVisible: false });
  price.setData(pts(data.closes));
  var colors = ["#2f5bd3", "#f08c00", "#7a5af8", "#0e9384", "#dd2590"];
  data.lines.forEach(function (line, i) {
    var s = chart.addSeries(LC.LineSeries, { color: colors[i % colors.length], lineWidth: 1, title: line.name, priceLineVisible: false, lastValueVisible: false });
    s.setData(pts(line.points));
  });
  LC.createSeriesMarkers(price, data.markers.map(function (m) {
    var entry = m.kind === "entry";
    return { time: m.t, position: entry ? "belowBar" : "aboveBar", color: entry ? "#117a48" : "#c0362c", shape: entry ? "arrowUp" : "arrowDown", text: data.labelled ? m.text : "" };
  }));
  chart.timeScale().fitContent();
  el.setAttribute("data-points", String(data.closes.length));
  el.setAttribute("data-markers", String(data.markers.length));
})();`;
