// argo: a moving-average crossover and a momentum reading, combined by weighted consensus. The same code runs
// in backtest, paper and live; only the config (and the data and venue the runtime picks) differs.
import { type Bar, Consensus, defineStrategy, Momentum, Sma, type StrategyContext, z } from "tradeops";

const params = z
  .object({
    trading: z.object({ symbols: z.array(z.string()).min(1), interval_seconds: z.number().positive() }),
    strategy: z.object({ fast_window: z.int().min(2), slow_window: z.int().min(3), momentum_window: z.int().min(2) }),
    consensus: z.object({ weights: z.record(z.string(), z.number().min(0)), threshold: z.number().min(0).max(1) }),
    risk: z.object({ max_trade_usd: z.number().positive(), max_position_usd: z.number().positive() }),
  })
  .refine((p) => p.strategy.fast_window < p.strategy.slow_window, {
    message: "fast_window must be smaller than slow_window",
    path: ["strategy", "fast_window"],
  });

type Params = z.output<typeof params>;

interface Book {
  readonly fast: Sma;
  readonly slow: Sma;
  readonly momentum: Momentum;
  readonly vote: Consensus;
  /** the side of the last signal, so that a signal is recorded when the view changes */
  side: "buy" | "sell" | "flat";
}

type State = Map<string, Book>;

/** Votes in [-1, 1]: how far the fast average is above the slow one, and the recent rate of change. */
const SMA_SCALE = 25;
const MOMENTUM_SCALE = 10;
/** Orders smaller than this are not worth sending. */
const MIN_ORDER_USD = 50;

export default defineStrategy<Params, State>({
  name: "argo",
  description: "moving-average crossover and momentum, combined by weighted consensus",
  params,
  symbols: (p) => p.trading.symbols,
  init: (p) =>
    new Map(
      p.trading.symbols.map((symbol) => [
        symbol,
        {
          fast: new Sma(p.strategy.fast_window),
          slow: new Sma(p.strategy.slow_window),
          momentum: new Momentum(p.strategy.momentum_window),
          vote: new Consensus({ ...p.consensus, intervalMs: p.trading.interval_seconds * 1000 }),
          side: "flat",
        },
      ]),
    ),
  onBar(ctx, bar) {
    const book = ctx.state.get(bar.symbol)!;
    const fast = book.fast.update(bar.close);
    const slow = book.slow.update(bar.close);
    const momentum = book.momentum.update(bar.close);
    if (!book.slow.ready || !book.momentum.ready) return;
    ctx.plot(bar.symbol, `SMA ${ctx.params.strategy.fast_window}`, fast); // drawn on the backtest report's price chart
    ctx.plot(bar.symbol, `SMA ${ctx.params.strategy.slow_window}`, slow);
    book.vote.vote("sma_cross", clamp((fast / slow - 1) * SMA_SCALE));
    book.vote.vote("momentum", clamp(momentum * MOMENTUM_SCALE));
    const view = book.vote.evaluate(ctx.now());
    if (!view) return;
    if (view.side !== book.side) {
      ctx.signal({ symbol: bar.symbol, side: view.side, strength: view.strength, reason: view.reason });
      book.side = view.side;
    }
    rebalance(ctx, bar, book.side);
  },
});

/** Moves the position toward its target (max position when buying, flat when selling), one max trade at a time. */
function rebalance(ctx: StrategyContext<Params, State>, bar: Bar, side: Book["side"]): void {
  if (side === "flat" || ctx.openOrders(bar.symbol).length) return;
  const { max_trade_usd, max_position_usd } = ctx.params.risk;
  const held = ctx.position(bar.symbol).qty;
  const target = side === "buy" ? max_position_usd : 0;
  const gap = target - held * bar.close;
  const usd = Math.min(Math.abs(gap), max_trade_usd);
  if (usd < MIN_ORDER_USD) return;
  const qty = Math.floor((usd / bar.close) * 1000) / 1000;
  if (gap > 0) ctx.buy(bar.symbol, qty, { reason: "consensus buy" });
  else ctx.sell(bar.symbol, Math.min(qty, held), { reason: "consensus sell" });
}

function clamp(x: number): number {
  return Math.max(-1, Math.min(1, x));
}
