/** The files of a new TypeScript strategy: code, config per environment with its schema, tests on cached bars. */

export interface StrategyTemplateOptions {
  readonly name: string;
  readonly environments: readonly string[];
}

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  additionalProperties: false,
  required: ["trading", "strategy", "risk", "data"],
  properties: {
    trading: {
      type: "object",
      additionalProperties: false,
      required: ["symbols", "auto_execute"],
      properties: {
        symbols: { type: "array", items: { type: "string", pattern: "^[A-Z.]+$" }, minItems: 1 },
        auto_execute: { type: "boolean", description: "send orders automatically (false: signals only)" },
      },
    },
    strategy: {
      type: "object",
      additionalProperties: false,
      required: ["fast_window", "slow_window"],
      properties: {
        fast_window: { type: "integer", minimum: 2, description: "bars in the fast moving average" },
        slow_window: { type: "integer", minimum: 3, description: "bars in the slow moving average" },
      },
    },
    risk: {
      type: "object",
      additionalProperties: false,
      required: ["max_trade_usd", "max_position_usd"],
      properties: {
        max_trade_usd: { type: "number", minimum: 0, description: "largest single order, in USD" },
        max_position_usd: { type: "number", minimum: 0, description: "largest position per symbol, in USD" },
        emergency_stop_loss_pct: { type: "number", minimum: 0, maximum: 1, default: 0.2 },
      },
    },
    data: {
      type: "object",
      additionalProperties: false,
      required: ["source"],
      properties: {
        source: { type: "string", description: "sample:sp500, csv:FILE, archive, or alpaca (live bars)" },
        timeframe: { type: "string", default: "1Day" },
      },
    },
  },
};

const STRATEGY = (
  name: string,
) => `// ${name}: a moving-average crossover. The same code backtests, paper trades and trades live; only the
// config (config/<environment>.yaml) and the data and venue the runtime picks from it differ.
import { type Bar, defineStrategy, Sma, type StrategyContext, z } from "tradeops";

const params = z
  .object({
    trading: z.object({ symbols: z.array(z.string()).min(1) }),
    strategy: z.object({ fast_window: z.int().min(2), slow_window: z.int().min(3) }),
    risk: z.object({ max_trade_usd: z.number().positive(), max_position_usd: z.number().positive() }),
  })
  .refine((p) => p.strategy.fast_window < p.strategy.slow_window, {
    message: "fast_window must be smaller than slow_window",
    path: ["strategy", "fast_window"],
  });

type Params = z.output<typeof params>;
type State = Map<string, { fast: Sma; slow: Sma; side: "buy" | "sell" | "flat" }>;

export default defineStrategy<Params, State>({
  name: "${name}",
  description: "moving-average crossover",
  params,
  symbols: (p) => p.trading.symbols,
  init: (p) =>
    new Map(
      p.trading.symbols.map((s) => [
        s,
        { fast: new Sma(p.strategy.fast_window), slow: new Sma(p.strategy.slow_window), side: "flat" },
      ]),
    ),
  onBar(ctx, bar) {
    const book = ctx.state.get(bar.symbol)!;
    const fast = book.fast.update(bar.close);
    const slow = book.slow.update(bar.close);
    if (!book.slow.ready) return;
    const side = fast > slow ? "buy" : "sell";
    if (side === book.side) return;
    book.side = side;
    ctx.signal({ symbol: bar.symbol, side, strength: Math.min(1, Math.abs(fast / slow - 1) * 20), reason: "crossover" });
    trade(ctx, bar, side);
  },
});

function trade(ctx: StrategyContext<Params, State>, bar: Bar, side: "buy" | "sell"): void {
  const held = ctx.position(bar.symbol).qty;
  const { max_trade_usd, max_position_usd } = ctx.params.risk;
  if (side === "buy") {
    const usd = Math.min(max_trade_usd, max_position_usd - held * bar.close);
    const qty = Math.floor((usd / bar.close) * 1000) / 1000;
    if (qty > 0) ctx.buy(bar.symbol, qty, { reason: "fast above slow" });
  } else if (held > 0) {
    ctx.sell(bar.symbol, held, { reason: "fast below slow" });
  }
}
`;

const TEST = (
  name: string,
) => `// Backtests ${name} on the cached S&P 500 bars (no network) with the test environment's config.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { backtestProject, findManifest, loadWorkspace } from "tradeops";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = loadWorkspace({ workspace: findManifest({ cwd: join(here, "..") }) });

test("${name} trades on cached bars and stays within its risk limits", async () => {
  const { report } = await backtestProject({ workspace, project: "${name}", environment: "test", to: "2004-01-01" });
  assert.ok(report.trades.length > 0, "the strategy made no trade");
  assert.equal(report.data, "sample:sp500");
  for (const trade of report.trades) assert.ok(trade.qty * trade.entryPrice <= 10_000 + 1e-6);
});
`;

const OVERLAYS: Record<string, string> = {
  development: "# Development: cached bars replayed, simulated broker.\ndata:\n  source: sample:sp500\n",
  test: "# Test (CI): backtests on cached bars only; no order leaves the process.\ndata:\n  source: sample:sp500\n",
  staging:
    "# Staging: the production setup on replayed bars, small sizes.\nrisk:\n  max_trade_usd: 2000\ndata:\n  source: sample:sp500\n",
  production:
    "# Production: live bars from the broker; bind the account in tradeops.yaml (projects.NAME.accounts).\ndata:\n  source: alpaca\n",
};

export function typescriptStrategyFiles(o: StrategyTemplateOptions): Record<string, string> {
  const files: Record<string, string> = {
    "src/strategy.ts": STRATEGY(o.name),
    "config.schema.json": `${JSON.stringify(SCHEMA, null, 2)}\n`,
    "config/base.yaml": [
      "# Shared by every environment; config/<environment>.yaml overrides it (tradeops config show NAME --sources).",
      "trading:",
      "  symbols: [SPY]",
      "  auto_execute: true",
      "strategy:",
      "  fast_window: 10",
      "  slow_window: 40",
      "risk:",
      "  max_trade_usd: 10000",
      "  max_position_usd: 50000",
      "  emergency_stop_loss_pct: 0.2",
      "data:",
      "  source: sample:sp500",
      "  timeframe: 1Day",
      "",
    ].join("\n"),
    [`tests/${o.name}.test.mjs`]: TEST(o.name),
    "README.md": readme(o.name),
  };
  for (const env of o.environments) {
    files[`config/${env}.yaml`] = (OVERLAYS[env] ?? "data:\n  source: sample:sp500\n").replace("NAME", o.name);
  }
  return files;
}

function readme(name: string): string {
  return `# ${name}

\`\`\`sh
tradeops backtest ${name}                 # on cached bars, report in .tradeops/reports/
tradeops serve ${name}                    # paper trading: replayed bars, simulated broker, /health
tradeops config check ${name} --all-envs
tradeops deploy ${name} to staging
\`\`\`

- \`src/strategy.ts\`: the strategy; the same code in backtest, paper and live.
- \`config.schema.json\`, \`config/base.yaml\`, \`config/<environment>.yaml\`: its parameters, validated per environment.
- \`tests/\`: backtests on cached bars (\`node --test tests/\`).
`;
}
