/**
 * The files of a new Python strategy: it runs through `tradeops run` (config and secrets arrive as environment
 * variables), answers /health on $PORT, and is tested on the cached bars it ships (cache/bars.csv).
 */
import { prefix } from "./service.js";

export interface PythonStrategyOptions {
  readonly name: string;
  readonly environments: readonly string[];
}

const MAIN = (
  name: string,
) => `"""${name}: a moving-average crossover. Config and secrets come from \`tradeops run\` as environment
variables (${prefix(name)}STRATEGY__FAST_WINDOW, ...); the code is the same in every environment."""
import csv
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "${prefix(name)}"
STARTED = time.time()


def setting(key, default):
    return type(default)(os.environ.get(PREFIX + key, default))


def load_bars(path):
    with open(path, newline="") as f:
        return [(row["date"], float(row["close"])) for row in csv.DictReader(f)]


def crossovers(bars, fast, slow):
    """Yields (date, side) each time the fast average crosses the slow one."""
    side = None
    closes = []
    for date, close in bars:
        closes.append(close)
        if len(closes) < slow:
            continue
        f = sum(closes[-fast:]) / fast
        s = sum(closes[-slow:]) / slow
        now = "buy" if f > s else "sell"
        if now != side:
            side = now
            yield date, now


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/health", "/livez", "/health/detailed", "/readyz"):
            body = json.dumps({"status": "healthy", "service": "${name}", "execution_mode": "paper",
                               "uptime_seconds": round(time.time() - STARTED, 1)}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


def main():
    fast = setting("STRATEGY__FAST_WINDOW", 10)
    slow = setting("STRATEGY__SLOW_WINDOW", 40)
    bars = load_bars(os.environ.get(PREFIX + "DATA__BARS", os.path.join(os.path.dirname(__file__), "cache", "bars.csv")))
    port = int(os.environ.get("PORT", "0"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for date, side in crossovers(bars, fast, slow):
        print(json.dumps({"kind": "signal", "strategy": "${name}", "time": date, "side": side}), flush=True)
    if "--once" in sys.argv:
        return
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
`;

const TEST = (name: string) => `import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import main  # noqa: E402


class CachedBars(unittest.TestCase):
    def test_${name.replace(/[^a-z0-9_]/g, "_")}_signals_on_cached_bars(self):
        bars = main.load_bars(os.path.join(os.path.dirname(__file__), "..", "cache", "bars.csv"))
        signals = list(main.crossovers(bars, 10, 40))
        self.assertGreater(len(signals), 2)
        sides = [s for _, s in signals]
        self.assertTrue(all(a != b for a, b in zip(sides, sides[1:])))


if __name__ == "__main__":
    unittest.main()
`;

/** 400 deterministic daily bars (a drifting wave): enough for crossovers, no network. */
function bars(): string {
  const lines = ["date,close"];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < 400; i++) {
    const close = 100 + i * 0.05 + 8 * Math.sin(i / 15);
    lines.push(`${new Date(start + i * 86_400_000).toISOString().slice(0, 10)},${close.toFixed(2)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function pythonStrategyFiles(o: PythonStrategyOptions): Record<string, string> {
  const files: Record<string, string> = {
    "main.py": MAIN(o.name),
    "tests/test_strategy.py": TEST(o.name),
    "cache/bars.csv": bars(),
    "config.schema.json": `${JSON.stringify(
      {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        additionalProperties: false,
        properties: {
          strategy: {
            type: "object",
            additionalProperties: false,
            properties: { fast_window: { type: "integer", minimum: 2 }, slow_window: { type: "integer", minimum: 3 } },
          },
        },
      },
      null,
      2,
    )}\n`,
    "config/base.yaml": "strategy:\n  fast_window: 10\n  slow_window: 40\n",
  };
  for (const e of o.environments) files[`config/${e}.yaml`] = `# ${e}\nstrategy:\n  slow_window: 40\n`;
  return files;
}
