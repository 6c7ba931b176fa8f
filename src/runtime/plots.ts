/** Indicator values a strategy plots during a backtest (`ctx.plot`), kept per symbol and name for the report. */

export interface PlotSeries {
  readonly symbol: string;
  readonly name: string;
  readonly times: number[];
  readonly values: number[];
}

/** At most this many points per plotted line: a longer run keeps every n-th point. */
export const MAX_PLOT_POINTS = 200_000;

export class PlotStore {
  readonly #lines = new Map<string, PlotSeries>();

  add(symbol: string, name: string, time: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const key = `${symbol}\u0000${name}`;
    let line = this.#lines.get(key);
    if (line === undefined) {
      line = { symbol, name, times: [], values: [] };
      this.#lines.set(key, line);
    }
    if (line.times.length >= MAX_PLOT_POINTS) return;
    const n = line.times.length;
    // one value per time: the last plotted wins
    if (n > 0 && line.times[n - 1] === time) line.values[n - 1] = value;
    else {
      line.times.push(time);
      line.values.push(value);
    }
  }

  lines(symbol?: string): PlotSeries[] {
    return [...this.#lines.values()].filter((l) => symbol === undefined || l.symbol === symbol);
  }
}
