/**
 * Three small repositories laid out like the shops tradeops serves (a FastAPI backend with a Vite frontend and
 * `.env` layers; a Python bot with config.json + example and a systemd unit; strategies under a deployable folder
 * with per-strategy deployment scripts and `.env` files), each a git repository with one commit.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, onTestFinished } from "vitest";

export const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

export interface SeedRepo {
  readonly root: string;
  git(...args: string[]): string;
}

function build(name: string, files: Record<string, string>, untracked: Record<string, string> = {}): SeedRepo {
  const root = join(mkdtempSync(join(tmpdir(), "tradeops-seed-")), name);
  try {
    onTestFinished(() => rmSync(dirname(root), { recursive: true, force: true }));
  } catch {}
  for (const [path, text] of Object.entries({ ...files, ...untracked })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: root,
      env: { ...process.env, ...GIT_ENV },
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
  git("init", "-q", "-b", "main");
  git("add", "--", ...Object.keys(files));
  git("commit", "-qm", `${name}: as it is today`);
  return { root, git };
}

/** Values of basis' development secrets: init must name them and never copy one anywhere. */
export const BASIS_SECRETS = {
  database: "postgresql://basis:basis-dev-pw-4417@localhost:5432/basis",
  redis: "redis-dev-pass-8812",
  analytics: "an4lyt1cs-t0ken-dev-5521",
  slack: "xoxb-slack-dev-token-6623",
} as const;

/** A backend (FastAPI) and its Vite frontend; env.unified and `.env.<environment>` layers at the root. */
export function basisRepo(): SeedRepo {
  return build("basis", {
    "backend/requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n",
    "backend/main.py": [
      "import os",
      "from fastapi import FastAPI",
      "",
      'ENVIRONMENT = os.getenv("BASIS_ENVIRONMENT")',
      'PORT = int(os.getenv("BASIS_API_PORT", "8001"))',
      'LOG_LEVEL = os.environ.get("BASIS_LOG_LEVEL", "INFO")',
      'EXCHANGE_KEY = os.environ["BASIS_EXCHANGE_API_KEY"]',
      'DATABASE_URL = os.getenv("BASIS_DATABASE_URL")',
      'REDIS_PASS = os.environ.get("BASIS_REDIS_PASS")',
      "",
      "app = FastAPI()",
      "",
      '@app.get("/health")',
      "def health():",
      '    return {"status": "healthy", "environment": ENVIRONMENT}',
      "",
    ].join("\n"),
    "backend/tests/test_health.py": "def test_health():\n    assert True\n",
    "frontend/package.json": JSON.stringify(
      {
        name: "basis-frontend",
        private: true,
        scripts: { dev: "vite", build: "vite build", test: "vitest run", lint: "eslint src" },
        devDependencies: { vite: "^5.4.0", vitest: "^2.0.0" },
      },
      null,
      2,
    ),
    "frontend/package-lock.json": "{}\n",
    "frontend/src/main.ts": "export const api = import.meta.env.VITE_API_BASE_URL ?? '/api/v1';\n",
    "frontend/.env.dev": `VITE_API_BASE_URL=/api/v1\nVITE_ANALYTICS_TOKEN=${BASIS_SECRETS.analytics}\n`,
    "frontend/.env.production": "VITE_API_BASE_URL=https://basis.example/api/v1\n",
    "env.unified":
      "BASIS_ENVIRONMENT=\nBASIS_API_PORT=\nBASIS_LOG_LEVEL=\nBASIS_EXCHANGE_API_KEY=\nBASIS_DATABASE_URL=\nBASIS_REDIS_PASS=\n",
    ".env.dev": [
      "BASIS_ENVIRONMENT=dev",
      "BASIS_API_PORT=8001",
      "BASIS_LOG_LEVEL=DEBUG",
      "BASIS_EXCHANGE_API_KEY=dev-exchange-key",
      `BASIS_DATABASE_URL=${BASIS_SECRETS.database}`,
      `BASIS_REDIS_PASS=${BASIS_SECRETS.redis}`,
      `BASIS_SLACK_TOKEN=${BASIS_SECRETS.slack}`,
      "",
    ].join("\n"),
    ".env.staging":
      "BASIS_ENVIRONMENT=staging\nBASIS_API_PORT=8001\nBASIS_LOG_LEVEL=INFO\nBASIS_EXCHANGE_API_KEY=\nBASIS_DATABASE_URL=\nBASIS_REDIS_PASS=\n",
    ".env.production":
      "BASIS_ENVIRONMENT=prod\nBASIS_API_PORT=8001\nBASIS_LOG_LEVEL=INFO\nBASIS_EXCHANGE_API_KEY=\nBASIS_DATABASE_URL=\nBASIS_REDIS_PASS=\n",
    "platform.sh": `#!/bin/sh\nset -a; . ./env.unified; . ./.env.\${BASIS_ENVIRONMENT:-dev}; set +a\ncd backend && uvicorn main:app --port "$BASIS_API_PORT"\n`,
    "docker/Dockerfile":
      'FROM python:3.11-slim\nCOPY backend /app\nWORKDIR /app\nEXPOSE 8001\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8001"]\n',
  });
}

export const ARGO_DEV_KEY = "PKDEVq8Zr2mXw7LtN4sVb9Yc";
export const ARGO_DATABASE_URL = "postgresql://argo:argo-dev-pw-7731@localhost:5432/argo";

/** One bot at the root: config.json (the developer's, ignored by git) + config.json.example, a systemd unit. */
export function argoRepo(): SeedRepo {
  const repo = build(
    "argo",
    {
      ".gitignore": "config.json\n__pycache__/\nvenv/\n",
      "requirements.txt": "alpaca-py==0.30.0\nboto3==1.34.0\n",
      "main.py": [
        "import json, os",
        "from argo.core.environment import detect_environment",
        "",
        "def main():",
        "    env = detect_environment()",
        "    config = json.load(open('config.json'))",
        "    key = os.getenv('ALPACA_API_KEY') or config['alpaca']['dev']['api_key']",
        "    secret = os.getenv('ALPACA_SECRET_KEY')",
        "    polygon = os.environ.get('POLYGON_KEY')",
        "    broker = os.getenv('ARGO_BROKER_PASS')",
        "    print('argo', env)",
        "",
        "if __name__ == '__main__':",
        "    main()",
        "",
      ].join("\n"),
      "argo/__init__.py": "",
      "argo/core/__init__.py": "",
      "argo/core/environment.py": [
        "import os, socket",
        "",
        "def detect_environment():",
        "    value = os.getenv('ARGO_ENVIRONMENT', '').lower()",
        "    if value in ('production', 'prod'):",
        "        return 'production'",
        "    if os.path.exists('/root/argo-production/config.json'):",
        "        return 'production'",
        "    return 'development'",
        "",
      ].join("\n"),
      "config.json.example": JSON.stringify(
        {
          alpaca: {
            dev: {
              api_key: "<dev-api-key>",
              secret_key: "<dev-secret-key>",
              paper: true,
              account_name: "Dev Trading Account",
            },
            production: {
              api_key: "FROM_AWS_SECRETS",
              secret_key: "FROM_AWS_SECRETS",
              paper: true,
              account_name: "Production Trading Account",
            },
          },
          trading: { auto_execute: true },
          database: { url: "postgresql://argo:CHANGE_ME@localhost:5432/argo" },
        },
        null,
        2,
      ),
      "argo.service": [
        "[Unit]",
        "Description=Argo signal generation",
        "",
        "[Service]",
        "WorkingDirectory=/root/argo-production",
        "Environment=ARGO_ENVIRONMENT=production",
        "ExecStart=/root/argo-production/venv/bin/python /root/argo-production/main.py",
        "Restart=always",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
      ].join("\n"),
      "tests/test_environment.py":
        "from argo.core.environment import detect_environment\n\ndef test_default():\n    assert detect_environment() == 'development'\n",
    },
    {
      "config.json": JSON.stringify({
        alpaca: {
          dev: {
            api_key: ARGO_DEV_KEY,
            secret_key: "dev-secret-value-not-real-0000",
            paper: true,
            account_name: "Dev Trading Account",
          },
          production: {
            api_key: "FROM_AWS_SECRETS",
            secret_key: "FROM_AWS_SECRETS",
            paper: true,
            account_name: "Production Trading Account",
          },
        },
        trading: { auto_execute: true },
        database: { url: ARGO_DATABASE_URL },
      }),
    },
  );
  chmodSync(join(repo.root, "config.json"), 0o644);
  return repo;
}

export const STRATEGIES = ["bear_trap", "daily_trend_hysteresis", "hourly_swing"] as const;

/** Strategies under deployable_strategies/, each with aws_deployment/ (runner, config, unit, deploy script, .env). */
export function magellanRepo(): SeedRepo {
  const files: Record<string, string> = {
    ".gitignore": ".env\n__pycache__/\n",
    "requirements.txt": "alpaca-py==0.30.0\nboto3==1.34.0\npandas==2.2.0\n",
    "src/__init__.py": "",
    "src/data_cache.py":
      "import os\n\nclass DataCache:\n    def __init__(self, key, secret):\n        self.dir = os.getenv('CACHE_DIR', 'data/cache')\n",
    ".github/workflows/deploy-strategies.yml":
      "name: Deploy\non:\n  push:\n    paths: ['deployable_strategies/**']\njobs:\n  validate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
  };
  const untracked: Record<string, string> = {};
  for (const s of STRATEGIES) {
    const base = `deployable_strategies/${s}`;
    const unit = `magellan-${s.replaceAll("_", "-")}`;
    files[`${base}/${s}_strategy_production.py`] =
      `class Strategy:\n    """${s}: trades from alpaca bars."""\n    def __init__(self, config, data_client, trading_client):\n        self.config = config\n\n    def run(self):\n        return None\n`;
    files[`${base}/README.md`] = `# ${s}\n\nDeployed with aws_deployment/deploy.sh.\n`;
    files[`${base}/aws_deployment/run_strategy.py`] = [
      "import json, os",
      "",
      "def main():",
      "    env = os.getenv('ENVIRONMENT', 'production')",
      "    use_cache = os.getenv('USE_ARCHIVED_DATA', 'false').lower() == 'true'",
      "    key = os.getenv('ALPACA_API_KEY')",
      "    secret = os.getenv('ALPACA_API_SECRET')",
      "    account = os.getenv('ALPACA_ACCOUNT_ID')",
      "    config = json.load(open(os.path.join(os.path.dirname(__file__), 'config.json')))",
      "    print(env, use_cache, config['symbols'])",
      "",
      "if __name__ == '__main__':",
      "    main()",
      "",
    ].join("\n");
    files[`${base}/aws_deployment/config.json`] =
      `${JSON.stringify({ symbols: ["SPY", "QQQ"], interval_minutes: 60, max_position_usd: 5000 }, null, 2)}\n`;
    files[`${base}/aws_deployment/${unit}.service`] = [
      "[Unit]",
      `Description=Magellan ${s}`,
      "",
      "[Service]",
      "WorkingDirectory=/home/ssm-user/magellan",
      "Environment=ENVIRONMENT=production",
      `ExecStart=/home/ssm-user/magellan/.venv/bin/python ${base}/aws_deployment/run_strategy.py`,
      "Restart=always",
      "",
    ].join("\n");
    files[`${base}/aws_deployment/deploy.sh`] =
      `#!/bin/sh\nset -e\nsudo cp ${base}/aws_deployment/${unit}.service /etc/systemd/system/\nsudo systemctl restart ${unit}\n`;
    files[`${base}/aws_deployment/.env.example`] = "ALPACA_API_KEY=\nALPACA_API_SECRET=\nALPACA_ACCOUNT_ID=\n";
    untracked[`${base}/aws_deployment/.env`] =
      `ALPACA_API_KEY=PKLOCAL${s.length}\nALPACA_API_SECRET=local-secret\nALPACA_ACCOUNT_ID=PA1\n`;
  }
  return build("magellan", files, untracked);
}

/** Values in the tick collector's `.env`: init must name them and never copy one anywhere. */
export const TICKS_SECRETS = {
  polygon: "pg-live-key-90210-abcdef",
  dbPass: "ticks-db-pass-3141",
  store: "postgresql://ticks:ticks-store-pw-2718@localhost:5432/ticks",
  sentry: "https://f00dfeed@o1.ingest.sentry.example/7",
} as const;

/**
 * A tick collector run with nohup on a server (poetry, `src/tick_collector.py`, no port): a loop that touches a
 * heartbeat file, writes SQLite under data/ and logs under logs/, `.env` with its own spelling of the environment.
 */
export function ticksRepo(): SeedRepo {
  return build(
    "ticks",
    {
      ".gitignore": ".env\ndata/*.db\nlogs/*.log\n",
      "pyproject.toml":
        '[tool.poetry]\nname = "ticks"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nwebsockets = "^12.0"\n',
      "src/__init__.py": "",
      "src/tick_collector.py": [
        "import logging, os, sqlite3, time",
        "from pathlib import Path",
        "",
        'ENV = os.getenv("TICKS_ENV", "local")',
        'HEARTBEAT = Path(os.getenv("TICKS_HEARTBEAT", "data/heartbeat"))',
        'POLYGON_KEY = os.environ["POLYGON_KEY"]',
        'DB_PASS = os.getenv("TICKS_DB_PASS")',
        'SENTRY_DSN = os.getenv("SENTRY_DSN")',
        "",
        "def main():",
        '    logging.basicConfig(filename="logs/collector.log", level=logging.INFO)',
        '    db = sqlite3.connect("data/ticks.db")',
        "    while True:",
        "        HEARTBEAT.touch()",
        "        time.sleep(5)",
        "",
        'if __name__ == "__main__":',
        "    main()",
        "",
      ].join("\n"),
      "src/features.py": "def spread(bid, ask):\n    return ask - bid\n",
      "tests/test_features.py": "from src.features import spread\n\ndef test_spread():\n    assert spread(1, 2) == 1\n",
      "config.json": `${JSON.stringify({ symbols: ["SPY", "QQQ"], feed: { ws_token: "FROM_SECRETS", batch: 500 } }, null, 2)}\n`,
      ".env.example": "TICKS_ENV=local\nPOLYGON_KEY=\nTICKS_DB_PASS=\nTICKS_STORE_URL=\nSENTRY_DSN=\n",
      "data/.gitkeep": "",
      "logs/.gitkeep": "",
      "deploy.sh":
        "#!/bin/sh\nset -e\npkill -f tick_collector.py || true\nsleep 5\nnohup python src/tick_collector.py &\n",
    },
    {
      ".env": [
        "TICKS_ENV=local",
        `POLYGON_KEY=${TICKS_SECRETS.polygon}`,
        `TICKS_DB_PASS=${TICKS_SECRETS.dbPass}`,
        `TICKS_STORE_URL=${TICKS_SECRETS.store}`,
        `SENTRY_DSN=${TICKS_SECRETS.sentry}`,
        "",
      ].join("\n"),
    },
  );
}

export const ALPINE_LOCAL_JWT = "jwt-local-dev-secret-4242";

/** An Express backend (a developer's `.env.local` beside it) and a Next.js frontend exported as static files (→ out/). */
export function alpineRepo(): SeedRepo {
  return build(
    "alpine",
    {
      "alpine-backend/package.json": JSON.stringify(
        {
          name: "alpine-backend",
          scripts: { start: "node server.js", test: "node --test" },
          dependencies: { express: "^4.19.0" },
        },
        null,
        2,
      ),
      "alpine-backend/server.js": [
        'const express = require("express");',
        "const app = express();",
        "const db = process.env.DATABASE_URL;",
        'const jwt = process.env["JWT_SECRET"];',
        "const stripe = process.env.STRIPE_SECRET_KEY;",
        'app.get("/health", (_req, res) => res.json({ status: "healthy" }));',
        "app.listen(process.env.PORT || 9001);",
        "",
      ].join("\n"),
      "alpine-backend/.env.production": "PORT=9001\nDATABASE_URL=\nJWT_SECRET=\nSTRIPE_SECRET_KEY=\n",
      "alpine-frontend/package.json": JSON.stringify(
        {
          name: "alpine-frontend",
          scripts: { dev: "next dev", build: "next build", start: "next start", lint: "next lint" },
          dependencies: { next: "^14.2.0", react: "^18.3.0" },
        },
        null,
        2,
      ),
      "alpine-frontend/next.config.js": "module.exports = { output: 'export', images: { unoptimized: true } };\n",
      "alpine-frontend/app/page.tsx": "export default function Page() { return <main>alpine</main>; }\n",
      ".gitignore": ".env.local\n",
    },
    { "alpine-backend/.env.local": `JWT_SECRET=${ALPINE_LOCAL_JWT}\n` },
  );
}

/** Each value, and the password inside a connection URL on its own: what must appear nowhere in init's output. */
export function withUrlPasswords(values: readonly string[]): string[] {
  return values.flatMap((v) => [v, ...(v.match(/:\/\/[^:]+:([^@]+)@/)?.slice(1) ?? [])]);
}

/** The manifest `tradeops init` wrote in a repository. */
export const manifestText = (root: string) => readFileSync(join(root, "tradeops.yaml"), "utf8");

/** Asserts that no secret value (nor a URL's password alone) appears in the text. */
export function expectNoValue(everything: string, values: readonly string[]): void {
  for (const v of withUrlPasswords(values)) expect(everything).not.toContain(v);
}
