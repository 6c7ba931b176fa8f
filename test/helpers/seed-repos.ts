/**
 * Three small repositories laid out like the shops tradeops serves (a FastAPI backend with a Vite frontend and
 * `.env` layers; a Python bot with config.json + example and a systemd unit; strategies under a deployable folder
 * with per-strategy deployment scripts and `.env` files), each a git repository with one commit.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";

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
    "frontend/.env.dev": "VITE_API_BASE_URL=/api/v1\n",
    "frontend/.env.production": "VITE_API_BASE_URL=https://basis.example/api/v1\n",
    "env.unified": "BASIS_ENVIRONMENT=\nBASIS_API_PORT=\nBASIS_LOG_LEVEL=\nBASIS_EXCHANGE_API_KEY=\n",
    ".env.dev":
      "BASIS_ENVIRONMENT=dev\nBASIS_API_PORT=8001\nBASIS_LOG_LEVEL=DEBUG\nBASIS_EXCHANGE_API_KEY=dev-exchange-key\n",
    ".env.staging": "BASIS_ENVIRONMENT=staging\nBASIS_API_PORT=8001\nBASIS_LOG_LEVEL=INFO\nBASIS_EXCHANGE_API_KEY=\n",
    ".env.production": "BASIS_ENVIRONMENT=prod\nBASIS_API_PORT=8001\nBASIS_LOG_LEVEL=INFO\nBASIS_EXCHANGE_API_KEY=\n",
    "platform.sh": `#!/bin/sh\nset -a; . ./env.unified; . ./.env.\${BASIS_ENVIRONMENT:-dev}; set +a\ncd backend && uvicorn main:app --port "$BASIS_API_PORT"\n`,
    "docker/Dockerfile":
      'FROM python:3.11-slim\nCOPY backend /app\nWORKDIR /app\nEXPOSE 8001\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8001"]\n',
  });
}

export const ARGO_DEV_KEY = "PKDEVq8Zr2mXw7LtN4sVb9Yc";

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
