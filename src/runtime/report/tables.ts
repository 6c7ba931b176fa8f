/** The report's tables as HTML: trades, open trades, monthly returns, per symbol, signals and refusals. */
import type { RuntimeRecord } from "../records.js";
import type { BacktestReport } from "./build.js";

export function tradesTable(report: BacktestReport): string {
  const rows = report.trades.map(
    (t, i) =>
      `<tr><td>${i + 1}</td><td>${esc(t.symbol)}</td><td>${t.direction}</td><td>${day(t.entry)}</td><td>${day(t.exit)}</td><td class="num">${t.days}</td><td class="num">${num(t.qty)}</td><td class="num">${num(t.entryPrice)}</td><td class="num">${num(t.exitPrice)}</td><td class="num">${num(t.fees)}</td><td class="num ${tone(t.pnl)}">${money(t.pnl)}</td><td class="num ${tone(t.returnPct)}">${pct(t.returnPct)}</td><td>${esc(t.exitReason || "–")}</td></tr>`,
  );
  return `<div class="scroll"><table><thead><tr><th>#</th><th>symbol</th><th>side</th><th>entry</th><th>exit</th><th class="num">days</th><th class="num">qty</th><th class="num">entry price</th><th class="num">exit price</th><th class="num">fees</th><th class="num">P&amp;L</th><th class="num">return</th><th>exit reason</th></tr></thead><tbody>
${rows.join("\n") || `<tr><td colspan="13">no closed trades</td></tr>`}
</tbody></table></div>`;
}

export function openTradesTable(report: BacktestReport): string {
  if (!report.openTrades.length) return `<p class="meta">No position was open when the data ended.</p>`;
  const rows = report.openTrades.map(
    (t) =>
      `<tr><td>${esc(t.symbol)}</td><td>${t.direction}</td><td>${day(t.entry)}</td><td class="num">${t.days}</td><td class="num">${num(t.qty)}</td><td class="num">${num(t.entryPrice)}</td><td class="num">${num(t.lastPrice)}</td><td class="num ${tone(t.realized)}">${money(t.realized)}</td><td class="num ${tone(t.unrealized)}">${money(t.unrealized)}</td><td class="num">${num(t.fees)}</td><td class="num ${tone(t.pnl)}">${money(t.pnl)}</td></tr>`,
  );
  return `<div class="scroll short"><table><thead><tr><th>symbol</th><th>side</th><th>entry</th><th class="num">days</th><th class="num">qty held</th><th class="num">avg entry</th><th class="num">marked at</th><th class="num">realised on the way</th><th class="num">open P&amp;L</th><th class="num">fees</th><th class="num">P&amp;L</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function returnsTable(report: BacktestReport): string {
  const cell = (r: number | null) =>
    r === null
      ? `<td class="num"></td>`
      : `<td class="num heat" style="background:${heat(r)}">${(Math.abs(r) < 0.0005 ? 0 : r * 100).toFixed(1)}</td>`;
  const rows = report.returns.map(
    (y) =>
      `<tr><th>${y.year}</th>${y.months.map(cell).join("")}<td class="num year ${tone(y.total)}">${pct(y.total)}</td></tr>`,
  );
  return `<div class="scroll"><table class="returns"><thead><tr><th>year</th>${MONTHS.map((m) => `<th class="num">${m}</th>`).join("")}<th class="num">year</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>`;
}

export function symbolsTable(report: BacktestReport): string {
  const rows = report.bySymbol
    .slice(0, 1000)
    .map(
      (s) =>
        `<tr><td>${esc(s.symbol)}</td><td class="num">${s.trades}</td><td class="num">${s.trades ? pct(s.winRate, false) : "–"}</td><td class="num ${tone(s.pnl)}">${money(s.pnl)}</td><td class="num ${tone(s.openPnl)}">${money(s.openPnl)}</td><td class="num">${money(s.fees)}</td></tr>`,
    );
  return `<div class="scroll short"><table><thead><tr><th>symbol</th><th class="num">closed trades</th><th class="num">win rate</th><th class="num">closed P&amp;L</th><th class="num">open P&amp;L</th><th class="num">fees</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>`;
}

export function signalsTable(signals: readonly RuntimeRecord[]): string {
  if (!signals.length) return `<p class="meta">No signals.</p>`;
  const rows = signals
    .slice(0, 500)
    .map(
      (r) =>
        `<tr><td>${day(new Date(r.time).toISOString())}</td><td>${esc(r.symbol ?? "")}</td><td>${esc(String(r.payload.side ?? ""))}</td><td class="num">${typeof r.payload.strength === "number" ? r.payload.strength.toFixed(2) : ""}</td><td>${esc(String(r.payload.reason ?? ""))}</td></tr>`,
    );
  return `<div class="scroll short"><table><thead><tr><th>time</th><th>symbol</th><th>side</th><th class="num">strength</th><th>reason</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table></div>`;
}

export function refusalsTable(records: readonly RuntimeRecord[]): string {
  if (!records.length) return `<p class="meta">No refusals, state changes or errors.</p>`;
  const rows = records
    .slice(0, 500)
    .map((r) => {
      const order = r.payload.order as { side?: string; qty?: number } | undefined;
      const what = String(r.payload.reason ?? r.payload.message ?? JSON.stringify(r.payload));
      return `<tr><td>${day(new Date(r.time).toISOString())}</td><td>${esc(r.kind === "rejected" ? "refused" : r.kind)}</td><td>${esc(String(r.payload.rule ?? (r.kind === "state" ? String(r.payload.to ?? "") : "")))}</td><td>${esc(order?.side ?? "")}</td><td>${esc(r.symbol ?? "")}</td><td class="num">${order?.qty === undefined ? "" : num(order.qty)}</td><td>${esc(what)}</td></tr>`;
    })
    .join("\n");
  return `<div class="scroll short"><table><thead><tr><th>time</th><th>kind</th><th>rule</th><th>side</th><th>symbol</th><th class="num">qty</th><th>why</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

/** Green for gains, red for losses, stronger with size (±10% a month is full colour). */
function heat(r: number): string {
  const a = Math.min(1, Math.abs(r) / 0.1) * 0.55 + 0.05;
  return r >= 0 ? `rgba(17,122,72,${a.toFixed(2)})` : `rgba(192,54,44,${a.toFixed(2)})`;
}

export const esc = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
export const day = (iso: string) => iso.slice(0, 10);
export const tone = (n: number) => (n > 0 ? "pos" : n < 0 ? "neg" : "");
export const num = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
export const money = (n: number) =>
  `${n < 0 ? "−" : ""}$${Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const pct = (n: number, sign = true) =>
  `${sign && n > 0 ? "+" : n < 0 ? "−" : ""}${(Math.abs(n) * 100).toFixed(2)}%`;
