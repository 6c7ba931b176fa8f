/**
 * The report's equity and drawdown charts as inline SVG (they draw without any script): equity with its
 * starting level and the buy-and-hold benchmark, and drawdown below zero.
 */

interface Point {
  readonly t: number;
  readonly equity: number;
  readonly drawdown: number;
  /** buy and hold, scaled to the initial cash */
  readonly benchmark?: number;
}

const W = 1000;
const H = 300;
const PAD = { left: 70, right: 16, top: 12, bottom: 28 };

export function equityChart(points: readonly Point[], initialCash: number): string {
  if (points.length < 2) return `<p class="meta">not enough data for a chart</p>`;
  const values = points.map((p) => p.equity);
  const bench = points.flatMap((p) => (p.benchmark === undefined ? [] : [p.benchmark]));
  const lo = Math.min(initialCash, ...values, ...bench);
  const hi = Math.max(initialCash, ...values, ...bench);
  const y = scale(lo, hi, H - PAD.bottom, PAD.top);
  const x = timeScale(points);
  const line = path(points.map((p) => [x(p.t), y(p.equity)]));
  const base = y(initialCash);
  const area = `${line} L${x(points[points.length - 1]!.t).toFixed(1)},${(H - PAD.bottom).toFixed(1)} L${x(points[0]!.t).toFixed(1)},${(H - PAD.bottom).toFixed(1)} Z`;
  return svg(
    `<path d="${area}" fill="#2f5bd3" fill-opacity="0.08"/>` +
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${base.toFixed(1)}" y2="${base.toFixed(1)}" stroke="#98a2b3" stroke-dasharray="4 4"/>` +
      (bench.length === points.length
        ? `<path class="benchmark" d="${path(points.map((p) => [x(p.t), y(p.benchmark!)]))}" fill="none" stroke="#f08c00" stroke-width="1.2" stroke-dasharray="5 3"/>`
        : "") +
      `<path class="equity" d="${line}" fill="none" stroke="#2f5bd3" stroke-width="1.6"/>` +
      yAxis(lo, hi, y, money) +
      xAxis(points, x),
    "equity curve",
  );
}

export function drawdownChart(points: readonly Point[]): string {
  if (points.length < 2) return `<p class="meta">not enough data for a chart</p>`;
  const worst = Math.max(0.01, ...points.map((p) => p.drawdown));
  const y = scale(-worst, 0, H - PAD.bottom, PAD.top);
  const x = timeScale(points);
  const line = path(points.map((p) => [x(p.t), y(-p.drawdown)]));
  const zero = y(0).toFixed(1);
  const area = `${line} L${x(points[points.length - 1]!.t).toFixed(1)},${zero} L${x(points[0]!.t).toFixed(1)},${zero} Z`;
  return svg(
    `<path d="${area}" fill="#c0362c" fill-opacity="0.18"/>` +
      `<path d="${line}" fill="none" stroke="#c0362c" stroke-width="1.2"/>` +
      yAxis(-worst, 0, y, (v) => `${(v * 100).toFixed(worst < 0.1 ? 1 : 0)}%`) +
      xAxis(points, x),
    "drawdown",
  );
}

function svg(body: string, label: string): string {
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

function scale(lo: number, hi: number, from: number, to: number): (v: number) => number {
  const span = hi - lo || 1;
  return (v) => from + ((v - lo) / span) * (to - from);
}

function timeScale(points: readonly Point[]): (t: number) => number {
  return scale(points[0]!.t, points[points.length - 1]!.t, PAD.left, W - PAD.right);
}

function path(xy: readonly (readonly [number, number])[]): string {
  return xy.map(([px, py], i) => `${i ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
}

function yAxis(lo: number, hi: number, y: (v: number) => number, label: (v: number) => string): string {
  const ticks = 5;
  let out = "";
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    const py = y(v).toFixed(1);
    out += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py}" y2="${py}" stroke="#eef0f3"/>`;
    out += `<text x="${PAD.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${label(v)}</text>`;
  }
  return out;
}

function xAxis(points: readonly Point[], x: (t: number) => number): string {
  const first = new Date(points[0]!.t).getUTCFullYear();
  const last = new Date(points[points.length - 1]!.t).getUTCFullYear();
  const step = Math.max(1, Math.ceil((last - first + 1) / 10));
  let out = "";
  for (let year = first; year <= last; year += step) {
    const t = Date.UTC(year, 0, 1);
    if (t < points[0]!.t) continue;
    const px = x(t).toFixed(1);
    out += `<line x1="${px}" x2="${px}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#f2f4f7"/>`;
    out += `<text x="${px}" y="${H - 8}" text-anchor="middle">${year}</text>`;
  }
  if (!out) {
    const mid = points[Math.floor(points.length / 2)]!.t;
    out = `<text x="${x(mid).toFixed(1)}" y="${H - 8}" text-anchor="middle">${new Date(mid).toISOString().slice(0, 10)}</text>`;
  }
  return out;
}

function money(v: number): string {
  const abs = Math.abs(v);
  const text = abs >= 1e6 ? `${(abs / 1e6).toFixed(2)}M` : abs >= 1e3 ? `${(abs / 1e3).toFixed(0)}k` : abs.toFixed(0);
  return `${v < 0 ? "−" : ""}$${text}`;
}
