/** The runtime commands: names, flags, help and examples; each action loads its module on demand. */
import { type Command, Option } from "commander";
import { examples, type On } from "../program.js";

export function registerRuntimeCommands(program: Command, on: On): void {
  const backtest = on(
    program
      .command("backtest")
      .description("run a strategy over historical bars and write a report (HTML with charts, and JSON)")
      .argument("<project>", "strategy project")
      .option("--from <date>", "first day, included (YYYY-MM-DD)")
      .option("--to <date>", "last day, included (YYYY-MM-DD), as in every command that takes dates")
      .option("--data <source>", "sample:sp500, csv:FILE[#SYMBOL], archive[:FILE] (default: data.source in the config)")
      .option("--initial-cash <amount>", "starting cash (default: the config's backtest.initial_cash, or 100000)")
      .option("--report <file>", "also write the HTML report (and the JSON next to it) here")
      .option("--close-at-end", "close what is still held at the last bar's close (default: listed as open trades)")
      .option(
        "--sweep <key=values>",
        "run a parameter grid on worker threads: KEY=FROM..TO[:STEP] or KEY=A,B,C (repeat for more keys)",
        (value: string, list: string[] = []) => [...list, value],
      )
      .addOption(
        new Option("--rank-by <metric>", "sweep: rank the parameter sets by this metric")
          .choices(["sharpe", "sortino", "calmar", "return", "cagr", "max_drawdown", "profit_factor"])
          .default("sharpe"),
      )
      .option(
        "--walk-forward <share>",
        "sweep: rank on the first share of the bars, show the rest out-of-sample (e.g. 0.7)",
      )
      .option("--workers <n>", "sweep: worker threads (default one per core; 0 runs in this process)")
      .option("--top <n>", "sweep: how many ranked sets to print", "10")
      .addHelpText(
        "after",
        examples(
          "tradeops backtest argo",
          "tradeops backtest argo --from 2008-01-01 --to 2009-12-31   # both days included",
          "tradeops backtest argo --close-at-end",
          "tradeops backtest argo --from 2008-01-01 --to 2009-12-31 --initial-cash 50000",
          "tradeops backtest argo --data csv:data/spy.csv#SPY --report /tmp/argo.html",
          "tradeops backtest argo --json | jq .summary",
          "tradeops backtest argo --sweep strategy.fast_window=5..20 --sweep strategy.slow_window=20..60:10",
          "tradeops backtest argo --sweep strategy.fast_window=5..20 --rank-by calmar --walk-forward 0.7",
        ),
      )
      .addHelpText(
        "after",
        "\nEvery run is kept in .tradeops/backtests/<project>/<timestamp>/ (report.html, report.json, run.json with\n" +
          "the config hash and the data range): see `tradeops backtest list`, `show` and `compare`.\n",
      ),
    async () => (await import("../commands/backtest.js")).backtestCommand,
  );
  const runs = async () => import("../commands/backtest-runs.js");
  on(
    backtest
      .command("list")
      .description("list the kept backtest runs, oldest first")
      .argument("[project]", "only this project's runs")
      .addHelpText("after", examples("tradeops backtest list", "tradeops backtest list argo --json")),
    async () => (await runs()).backtestListCommand,
  );
  on(
    backtest
      .command("show")
      .description("a kept run's summary and where its report is")
      .argument(
        "<run>",
        "run id (argo/2026-01-02T10-00-00Z), a unique prefix of it, argo@latest, or argo@latest~1 (the one before)",
      )
      .addHelpText(
        "after",
        examples("tradeops backtest show argo@latest", "tradeops backtest show argo/2026-01-02 --json"),
      ),
    async () => (await runs()).backtestShowCommand,
  );
  on(
    backtest
      .command("compare")
      .description("two kept runs side by side, and the first decision where they differ")
      .argument("<a>", "run id, prefix, PROJECT@latest or PROJECT@latest~N")
      .argument("<b>", "run id, prefix, PROJECT@latest or PROJECT@latest~N")
      .addHelpText(
        "after",
        examples(
          "tradeops backtest compare argo@latest~1 argo@latest",
          "tradeops backtest compare argo/2026-01-02T10 argo/2026-01-02T11 --json",
        ),
      ),
    async () => (await runs()).backtestCompareCommand,
  );
  on(
    program
      .command("serve")
      .description("run a strategy as a service: paper or live trading (or a backtest), with health on its port")
      .argument("<project>", "strategy project")
      .addOption(
        new Option("--mode <mode>", "execution mode (default: the environment's executionMode)").choices([
          "backtest",
          "paper",
          "live",
        ]),
      )
      .option("--data <source>", "data source (default: data.source in the config)")
      .option("--port <port>", "port for /health and control (default: the project's port)")
      .option("--speed <times>", "replay speed, times faster than real time (default: data.replay_speed or 864000)")
      .addHelpText(
        "after",
        examples(
          "tradeops serve argo",
          "tradeops serve argo --mode backtest",
          "tradeops serve argo --verbose",
          "ARGO_ENVIRONMENT=production tradeops serve argo",
        ),
      ),
    async () => (await import("../commands/serve.js")).serveCommand,
  );
  on(
    program
      .command("halt")
      .description("kill switch: stop a running strategy from sending orders and cancel its open orders")
      .argument("<project>", "strategy project")
      .option("--reason <text>", "why (recorded with the decision)", "operator halt")
      .option(
        "--port <port>",
        "ask the instance on this port (default: found through the supervisor or the target's records; its identity is still checked)",
      )
      .addHelpText(
        "after",
        `${examples("tradeops halt argo", "tradeops halt argo --reason 'exchange outage'", "tradeops halt argo --port 8000")}
The instance must say it is this workspace's project in this environment; another one on the port is refused
(exit 77, TRO_ERR_INSTANCE_MISMATCH) and nothing is written or sent.
`,
      ),
    async () => (await import("../commands/halt.js")).haltCommand,
  );
  on(
    program
      .command("resume")
      .description("lift the kill switch: a halted strategy trades again")
      .argument("<project>", "strategy project")
      .option("--reason <text>", "why (recorded with the decision)", "operator resume")
      .option(
        "--port <port>",
        "ask the instance on this port (default: found through the supervisor or the target's records; its identity is still checked)",
      )
      .addHelpText("after", examples("tradeops resume argo", "tradeops resume argo --port 8000")),
    async () => (await import("../commands/halt.js")).resumeCommand,
  );
}
