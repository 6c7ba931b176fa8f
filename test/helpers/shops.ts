/**
 * Fresh workspaces in the style of the shops the product serves (their layouts, variable names and files, their
 * code unchanged): Magellan's three Python strategy runners under prod/ reading ENVIRONMENT, USE_ARCHIVED_DATA and
 * ALPACA_ACCOUNT_ID; Basis's backend reading env.unified + .env.dev with BASIS_ENVIRONMENT=dev.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function fresh(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    // outside a test: the caller removes it
  }
  return dir;
}

/** Magellan's universal runner, as its migration plan writes it (trading calls left out: no broker here). */
export const MAGELLAN_RUNNER = `#!/usr/bin/env python3
import os, sys, json, logging, time
from pathlib import Path

def setup_logging():
    logging.basicConfig(level=os.getenv('LOG_LEVEL', 'INFO').upper(), format='%(levelname)s %(message)s')

def load_config():
    config_path = Path(__file__).parent / 'config.json'
    with open(config_path) as f:
        return json.load(f)

def main():
    setup_logging()
    env = os.getenv('ENVIRONMENT', 'production')
    use_cache = os.getenv('USE_ARCHIVED_DATA', 'false').lower() == 'true'
    config = load_config()
    print(json.dumps({'environment': env, 'use_cache': use_cache, 'account': os.getenv('ALPACA_ACCOUNT_ID'),
                      'log_level': os.getenv('LOG_LEVEL'), 'symbols': config['symbols']}), flush=True)
    if os.getenv('RUN_FOREVER') == '1':
        while True:
            time.sleep(1)

if __name__ == "__main__":
    main()
`;

/** Magellan's strategies: folder under prod/, project (and systemd unit) name, symbols. */
export const MAGELLAN_STRATEGIES = [
  ["bear_trap", "magellan-bear-trap", ["SPY"]],
  ["daily_trend", "magellan-daily-trend", ["QQQ"]],
  ["hourly_swing", "magellan-hourly-swing", ["IWM"]],
] as const;

/** Magellan: prod/<strategy>/{runner.py, config.json, config.json.example}, one project (and unit) per strategy. */
export function magellanWorkspace(extraYaml = ""): string {
  const dir = fresh("tradeops-magellan-");
  const projects: string[] = [];
  for (const [folder, name, symbols] of MAGELLAN_STRATEGIES) {
    write(dir, {
      [`prod/${folder}/runner.py`]: MAGELLAN_RUNNER,
      [`prod/${folder}/config.json`]: `${JSON.stringify({ symbols, position_size: 100 }, null, 2)}\n`,
      [`prod/${folder}/config.json.example`]: `${JSON.stringify({ symbols: ["SYMBOL"], position_size: 0 }, null, 2)}\n`,
      [`prod/${folder}/config.development.json`]: `${JSON.stringify({ use_archived_data: true })}\n`,
      [`prod/${folder}/config.production.json`]: `${JSON.stringify({ alpaca_account_id: "PA-7731" })}\n`,
    });
    projects.push(
      `  ${name}:`,
      `    path: prod/${folder}`,
      "    kind: strategy",
      "    commands: { start: python3 runner.py }",
      "    environmentVariable: { name: ENVIRONMENT }",
      "    config:",
      "      base: config.json",
      "      environments: { development: config.development.json, test: config.development.json, production: config.production.json }",
      "      example: config.json.example",
      "      export: { names: { use_archived_data: USE_ARCHIVED_DATA, alpaca_account_id: ALPACA_ACCOUNT_ID } }",
      "    secrets:",
      "      ALPACA_API_KEY:",
      "        development: [env:ALPACA_API_KEY]",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own syntax
      "        production: ['aws-ssm:/magellan/alpaca/${ALPACA_ACCOUNT_ID}/API_KEY']",
    );
  }
  write(dir, {
    "tradeops.yaml": [
      "name: magellan",
      "environments:",
      "  development: { signals: { store: none, required: false } }",
      "  test: {}",
      "  production: {}",
      "projects:",
      ...projects,
      extraYaml,
    ].join("\n"),
  });
  return dir;
}

/** Basis's backend: it sources nothing itself; tradeops gives it env.unified overlaid with .env.dev. */
export const BASIS_BACKEND = `import json, os
keys = ['BASIS_ENVIRONMENT', 'BASIS_DEPLOYMENT_MODE', 'BASIS_DATA_DIR', 'BASIS_DATA_MODE', 'BASIS_LOG_LEVEL',
        'BASIS_EXECUTION_MODE', 'BASIS_LIVE_TRADING__MAX_TRADE_SIZE_USD', 'BASIS_API_PORT', 'LOG_LEVEL']
print(json.dumps({k: os.environ.get(k) for k in keys}), flush=True)
`;

export const ENV_UNIFIED = `# Core startup configuration (REQUIRED - no defaults)
BASIS_ENVIRONMENT=
BASIS_DEPLOYMENT_MODE=
BASIS_DATA_DIR=
BASIS_DATA_MODE=
BASIS_LOG_LEVEL=
BASIS_EXECUTION_MODE=
BASIS_API_PORT=

# Live trading configuration (only used when BASIS_EXECUTION_MODE=live)
BASIS_LIVE_TRADING__ENABLED=false
BASIS_LIVE_TRADING__MAX_TRADE_SIZE_USD=100
`;

export const ENV_DEV = `BASIS_ENVIRONMENT=dev
BASIS_DEPLOYMENT_MODE=local
BASIS_DATA_DIR=./data
BASIS_DATA_MODE=csv
BASIS_LOG_LEVEL=DEBUG
BASIS_EXECUTION_MODE=backtest
BASIS_API_PORT=8001
`;

export const ENV_PRODUCTION = `BASIS_ENVIRONMENT=prod
BASIS_DEPLOYMENT_MODE=local
BASIS_DATA_DIR=/app/data
BASIS_DATA_MODE=db
BASIS_LOG_LEVEL=INFO
BASIS_EXECUTION_MODE=live
BASIS_API_PORT=8001
`;

/** What the backend sees in development: env.unified's values overridden by .env.dev. */
export const BASIS_DEV_VALUES = {
  BASIS_ENVIRONMENT: "dev",
  BASIS_DEPLOYMENT_MODE: "local",
  BASIS_DATA_DIR: "./data",
  BASIS_DATA_MODE: "csv",
  BASIS_LOG_LEVEL: "DEBUG",
  BASIS_EXECUTION_MODE: "backtest",
  BASIS_LIVE_TRADING__MAX_TRADE_SIZE_USD: "100",
  BASIS_API_PORT: "8001",
};

/** Basis's manifest up to its backend's path. */
export const BASIS_HEAD = [
  "name: basis",
  "environments:",
  "  detect: { variable: BASIS_ENVIRONMENT }",
  "  development: {}",
  "  production: {}",
  "projects:",
  "  backend:",
  "    path: backend",
];

/** The backend's environment in the shop's own spelling and its dotenv layers. */
export const BASIS_BACKEND_CONFIG = [
  "    environmentVariable: { name: BASIS_ENVIRONMENT, values: { development: dev, production: prod } }",
  "    config:",
  "      base: ../env.unified",
  "      environments: { development: ../.env.dev, production: ../.env.production }",
  "      envPrefix: BASIS_",
];

/** Basis: env.unified, .env.dev and .env.production at the root, the backend in backend/. */
export function basisWorkspace(files: Record<string, string> = {}): string {
  const dir = fresh("tradeops-basis-");
  write(dir, {
    "env.unified": ENV_UNIFIED,
    ".env.dev": ENV_DEV,
    ".env.production": ENV_PRODUCTION,
    "backend/main.py": BASIS_BACKEND,
    "tradeops.yaml": [...BASIS_HEAD, "    commands: { start: python3 main.py }", ...BASIS_BACKEND_CONFIG, ""].join(
      "\n",
    ),
    ...files,
  });
  return dir;
}
