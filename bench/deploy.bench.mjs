// Zero-downtime deploys (SPEC §14): the same HTTP service (the example desk's alpine-backend, server.mjs) is
// switched to a new version three ways under the same continuous load, in one run, and every request is counted:
//
//   tradeops   `tradeops deploy alpine-backend to staging`: blue/green behind the front proxy (gates 3–9 and
//              the monitoring window skipped, so that the switch itself is what is measured)
//   restart    stop-then-start: SIGTERM the process on the public port, start the new one, wait for /health
//   pm2        `pm2 reload` of the same server.mjs in PM2's cluster mode (its zero-downtime mode), private PM2_HOME
//
// Target: 0 failed requests of ≥ 20,000 during the tradeops deploy (failed = network error or 5xx). For each it
// also reports the longest stretch without a successful answer and when the first new-version answer came.
//
// It then times a local deploy of the example service with the gates excluded, through the CLI as an operator
// runs it (process start included): target ≤ 3 s (SPEC §14), against the stop-then-start restart as baseline.
//
// Then the same deploy to an SSH target (a private OpenSSH server on loopback, as the integration tests use): target
// each SSH deploy ≤ the local deploy + 3 s (both without the monitoring window, which adds the same to each).
//
// Tunable: BENCH_DEPLOY_SAMPLES (default 5), BENCH_CLIENTS (default 8).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(root, "bin/tradeops.js");
const PM2 = join(root, "node_modules/.bin/pm2");
const MIN_REQUESTS = 20_000;
const TARGET_DEPLOY_MS = 3_000;
const SSH_OVER_LOCAL_MS = 3_000;
const SAMPLES = Math.max(3, Number(process.env.BENCH_DEPLOY_SAMPLES) || 5);
const CLIENTS = Math.max(2, Number(process.env.BENCH_CLIENTS) || 8);
const SKIP = ["--skip-gate", "3,4,5,6,7,8,9,11", "--reason", "benchmark: the switch alone"];

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r1 = (n) => Math.round(n * 10) / 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Continuous load: CLIENTS keep-alive clients asking /version; each answer is kept with its time and body. */
function startLoad(port) {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const answers = [];
  let failed = 0;
  let stopped = false;
  const errors = new Map();
  const once = () =>
    new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/version", agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          if (res.statusCode >= 500) {
            failed++;
            errors.set(`HTTP ${res.statusCode}`, (errors.get(`HTTP ${res.statusCode}`) ?? 0) + 1);
          } else answers.push([performance.now(), body]);
          resolve();
        });
      });
      req.on("error", (e) => {
        failed++;
        errors.set(e.code ?? e.message, (errors.get(e.code ?? e.message) ?? 0) + 1);
        resolve();
      });
      req.end();
    });
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (!stopped) await once();
  });
  return {
    count: () => answers.length + failed,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
      return { answers, failed, errors: Object.fromEntries(errors) };
    },
  };
}

/** Runs `operation` under load; the load goes on until at least MIN_REQUESTS were sent and 1 s after it. */
async function underLoad(port, newBody, operation) {
  const load = startLoad(port);
  await sleep(500);
  const t0 = performance.now();
  await operation();
  const opMs = performance.now() - t0;
  await sleep(1000);
  while (load.count() < MIN_REQUESTS) await sleep(100);
  const { answers, failed, errors } = await load.stop();
  const times = answers.map(([t]) => t).sort((a, b) => a - b);
  let maxGap = 0;
  for (let i = 1; i < times.length; i++)
    if (times[i] >= t0 && times[i] - times[i - 1] > maxGap) maxGap = times[i] - times[i - 1];
  const firstNew = answers
    .filter(([, b]) => b === newBody)
    .map(([t]) => t)
    .sort((a, b) => a - b)[0];
  return {
    requests: answers.length + failed,
    failed,
    errors,
    operationMs: r1(opMs),
    longestGapMs: r1(maxGap),
    firstNewAnswerMs: firstNew === undefined ? null : r1(firstNew - t0),
  };
}

async function waitHealthy(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(10);
  }
  throw new Error(`nothing healthy on port ${port} after ${timeoutMs} ms`);
}

/** A git copy of the desk; alpine-backend's staging secret comes from a variable (no AWS here). */
async function prepareDesk() {
  const ws = mkdtempSync(join(tmpdir(), "tradeops-bench-deploy-"));
  cpSync(join(root, "examples/desk"), ws, { recursive: true });
  const [port, blue, green] = [await freePort(), await freePort(), await freePort()];
  const manifest = join(ws, "tradeops.yaml");
  writeFileSync(
    manifest,
    readFileSync(manifest, "utf8")
      .replace("port: 8201, internalPorts: [8202, 8203]", `port: ${port}, internalPorts: [${blue}, ${green}]`)
      .replace("staging: [aws-secrets:alpine/staging/analytics-api-key]", "staging: [env:ANALYTICS_API_KEY]"),
  );
  const env = {
    ...process.env,
    NO_COLOR: "1",
    ANALYTICS_API_KEY: "bench-analytics-key",
    GIT_AUTHOR_NAME: "b",
    GIT_AUTHOR_EMAIL: "b@b",
    GIT_COMMITTER_NAME: "b",
    GIT_COMMITTER_EMAIL: "b@b",
  };
  const git = (...args) => execFileSync("git", args, { cwd: ws, env, stdio: "pipe" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "desk");
  const label = (v) => {
    const file = join(ws, "alpine-backend/config/base.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/version_label: \S+/, `version_label: ${v}`));
    git("commit", "-qam", v);
  };
  const deploy = () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [CLI, "deploy", "alpine-backend", "to", "staging", ...SKIP], {
      cwd: ws,
      env,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`tradeops deploy failed (${r.status}): ${r.stderr}`);
    return performance.now() - t;
  };
  const retarget = (host, path) => {
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8").replace(
        "alpine-backend: { hosts: [local], path: .tradeops/targets/staging/alpine-backend,",
        `alpine-backend: { hosts: [${host}], path: ${path},`,
      ),
    );
    git("commit", "-qam", "ssh target");
  };
  return { ws, port, env, label, deploy, retarget, target: join(ws, ".tradeops/targets/staging/alpine-backend") };
}

/** A private sshd on a free loopback port with generated keys (TESTING.md), and an `ssh -F` client config. */
async function startSshd() {
  const dir = mkdtempSync(join(tmpdir(), "tradeops-bench-sshd-"));
  const port = await freePort();
  const user = userInfo().username;
  mkdirSync("/run/sshd", { recursive: true });
  for (const k of ["host", "user"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, k)]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user.pub")), { mode: 0o600 });
  const lines = [`Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${join(dir, "host")}`];
  lines.push(`AuthorizedKeysFile ${join(dir, "authorized_keys")}`, "PasswordAuthentication no", "StrictModes no");
  lines.push("UsePAM no", "AllowTcpForwarding yes", `PidFile ${join(dir, "sshd.pid")}`, "");
  writeFileSync(join(dir, "sshd_config"), lines.join("\n"));
  const config = join(dir, "ssh_config");
  writeFileSync(
    config,
    `Host 127.0.0.1\n  IdentityFile ${join(dir, "user")}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n`,
  );
  const child = spawn("/usr/sbin/sshd", ["-D", "-f", join(dir, "sshd_config"), "-E", join(dir, "sshd.log")], {
    stdio: "ignore",
  });
  const args = ["-F", config, "-o", "BatchMode=yes", "-p", String(port), `${user}@127.0.0.1`, "true"];
  for (let i = 0; ; i++) {
    if (spawnSync("ssh", args, { stdio: "ignore", timeout: 5000 }).status === 0) break;
    if (i > 50 || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error("sshd did not start (is openssh-server installed?)");
    }
    await sleep(100);
  }
  return {
    host: `${user}@127.0.0.1:${port}`,
    config,
    stop: () => {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function killTarget(target) {
  const pids = [];
  const runner = join(target, "shared/runner");
  if (existsSync(runner))
    for (const f of readdirSync(runner)) pids.push(JSON.parse(readFileSync(join(runner, f), "utf8")).pid);
  // releases under the supervisor runner (the default on a first deploy): each colour's supervisor and its instance
  const supervisors = join(target, "shared/supervisor");
  if (existsSync(supervisors))
    for (const color of readdirSync(supervisors)) {
      const dir = join(supervisors, color);
      if (existsSync(join(dir, "supervisor.pid"))) pids.push(Number(readFileSync(join(dir, "supervisor.pid"), "utf8")));
      if (existsSync(join(dir, "pids")))
        for (const f of readdirSync(join(dir, "pids"))) pids.push(Number(readFileSync(join(dir, "pids", f), "utf8")));
    }
  for (const f of ["shared/proxy/loop.pid"])
    if (existsSync(join(target, f))) pids.push(Number(readFileSync(join(target, f), "utf8")));
  if (existsSync(join(target, "shared/proxy/proxy.json")))
    pids.push(JSON.parse(readFileSync(join(target, "shared/proxy/proxy.json"), "utf8")).pid);
  for (const pid of pids)
    for (const p of [-pid, pid])
      try {
        process.kill(p, "SIGKILL");
      } catch {}
}

export async function run({ log }) {
  const desk = await prepareDesk();
  const serverDir = join(desk.ws, "alpine-backend");
  const pm2Home = mkdtempSync(join(tmpdir(), "tradeops-bench-pm2-"));
  const children = [];
  let sshd;
  let remote;
  try {
    // 1. tradeops blue/green
    desk.deploy();
    desk.label("v2");
    log(`tradeops: blue/green on :${desk.port} under load (${CLIENTS} clients, ≥ ${MIN_REQUESTS} requests)`);
    const tradeops = await underLoad(desk.port, '{"version":"v2"}', async () => {
      await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, "deploy", "alpine-backend", "to", "staging", ...SKIP], {
          cwd: desk.ws,
          env: desk.env,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        child.stderr.on("data", (d) => (err += d));
        child.on("exit", (code) =>
          code === 0 ? resolve() : reject(new Error(`tradeops deploy failed (${code}): ${err}`)),
        );
      });
    });
    log(`tradeops: ${tradeops.failed} failed of ${tradeops.requests}, longest gap ${tradeops.longestGapMs} ms`);

    // 2. stop-then-start of the same server.mjs on its own port
    const rPort = await freePort();
    const startServer = (label) => {
      const child = spawn(process.execPath, ["server.mjs"], {
        cwd: serverDir,
        env: { ...process.env, PORT: String(rPort), ALPINE_HTTP__VERSION_LABEL: label },
        stdio: "ignore",
      });
      children.push(child);
      return child;
    };
    let current = startServer("v1");
    await waitHealthy(rPort);
    log(`restart: stop-then-start on :${rPort}`);
    const restartTimes = [];
    const restart = await underLoad(rPort, '{"version":"v2"}', async () => {
      const t = performance.now();
      current.kill("SIGTERM");
      await new Promise((r) => current.once("exit", r));
      current = startServer("v2");
      await waitHealthy(rPort);
      restartTimes.push(performance.now() - t);
    });
    log(`restart: ${restart.failed} failed of ${restart.requests}, longest gap ${restart.longestGapMs} ms`);
    current.kill("SIGKILL");

    // 3. PM2 reload in cluster mode
    const pPort = await freePort();
    const pm2Env = (label) => ({
      ...process.env,
      PM2_HOME: pm2Home,
      PORT: String(pPort),
      ALPINE_HTTP__VERSION_LABEL: label,
    });
    execFileSync(PM2, ["start", "server.mjs", "--name", "alp", "-i", "1"], {
      cwd: serverDir,
      env: pm2Env("v1"),
      stdio: "ignore",
    });
    await waitHealthy(pPort);
    log(`pm2: reload (cluster mode, 1 instance) on :${pPort}`);
    const pm2 = await underLoad(pPort, '{"version":"v2"}', async () => {
      execFileSync(PM2, ["reload", "alp", "--update-env"], { cwd: serverDir, env: pm2Env("v2"), stdio: "ignore" });
    });
    log(`pm2: ${pm2.failed} failed of ${pm2.requests}, longest gap ${pm2.longestGapMs} ms`);
    const pm2Version = execFileSync(PM2, ["--version"], { env: pm2Env("v2") })
      .toString()
      .trim()
      .split("\n")
      .pop();

    // 4. a local deploy with the gates excluded, as an operator runs it (CLI start included), against a restart
    const deployMs = [];
    for (let i = 0; i < SAMPLES; i++) {
      desk.label(`v${3 + i}`);
      deployMs.push(desk.deploy());
    }
    const history = JSON.parse(
      spawnSync(
        process.execPath,
        [CLI, "history", "alpine-backend", "--env", "staging", "--json", "--limit", String(SAMPLES)],
        { cwd: desk.ws, env: desk.env, encoding: "utf8" },
      ).stdout,
    ).records;
    const own = history.map((r) => r.durationMs);
    const deployMedian = median(deployMs);
    const restartMs = median(restartTimes);
    log(
      `local deploy: median ${r1(deployMedian)} ms wall (${r1(median(own))} ms inside the deploy), restart ${r1(restartMs)} ms`,
    );

    // 5. the same deploy to an SSH target (the local target is stopped first: same ports)
    killTarget(desk.target);
    sshd = await startSshd();
    remote = join(desk.ws, "remote-host/srv/alpine-staging");
    desk.retarget(sshd.host, remote);
    desk.env.TRADEOPS_SSH_CONFIG = sshd.config;
    desk.label("ssh-v1");
    desk.deploy(); // the first deploy also starts the front proxy on the host: not timed
    const sshMs = [];
    for (let i = 0; i < SAMPLES; i++) {
      desk.label(`ssh-v${2 + i}`);
      sshMs.push(desk.deploy());
    }
    const sshMedian = median(sshMs);
    log(`ssh deploy: median ${r1(sshMedian)} ms wall, local ${r1(deployMedian)} ms`);
    const sshPass = sshMedian <= deployMedian + SSH_OVER_LOCAL_MS;

    const pass =
      tradeops.failed === 0 && tradeops.requests >= MIN_REQUESTS && deployMedian <= TARGET_DEPLOY_MS && sshPass;
    return {
      name: "deploy — zero-downtime blue/green, and a local deploy",
      target: `0 failed of ≥ ${MIN_REQUESTS} requests during a blue/green deploy; local deploy (gates excluded) ≤ ${TARGET_DEPLOY_MS} ms; SSH deploy ≤ local + ${SSH_OVER_LOCAL_MS} ms`,
      baseline: restart.failed,
      measured: tradeops.failed,
      difference: tradeops.failed - restart.failed,
      unit: "failed requests",
      pass,
      missedBy: pass
        ? undefined
        : [
            tradeops.failed ? `${tradeops.failed} requests failed during the deploy` : "",
            deployMedian > TARGET_DEPLOY_MS
              ? `the local deploy took ${r1(deployMedian - TARGET_DEPLOY_MS)} ms too long`
              : "",
            sshPass ? "" : `the SSH deploy took ${r1(sshMedian - deployMedian - SSH_OVER_LOCAL_MS)} ms too long`,
          ]
            .filter(Boolean)
            .join("; "),
      notes: [
        `tradeops blue/green: ${tradeops.failed} failed of ${tradeops.requests}, longest gap ${tradeops.longestGapMs} ms, deploy ${tradeops.operationMs} ms`,
        `stop-then-start:     ${restart.failed} failed of ${restart.requests}, longest gap ${restart.longestGapMs} ms, restart ${restart.operationMs} ms`,
        `pm2 reload (cluster): ${pm2.failed} failed of ${pm2.requests}, longest gap ${pm2.longestGapMs} ms, reload ${pm2.operationMs} ms`,
        `local deploy, gates excluded: median ${r1(deployMedian)} ms wall over ${SAMPLES} deploys (target ${TARGET_DEPLOY_MS} ms); restart ${r1(restartMs)} ms`,
        `SSH deploy (loopback sshd), gates excluded: median ${r1(sshMedian)} ms wall over ${SAMPLES} deploys, +${r1(sshMedian - deployMedian)} ms over local (target ≤ +${SSH_OVER_LOCAL_MS} ms)`,
      ],
      details: {
        clients: CLIENTS,
        tradeops,
        restart,
        pm2: { mode: "cluster, 1 instance, pm2 reload --update-env", version: pm2Version, ...pm2 },
        localDeploy: {
          samples: SAMPLES,
          wallMs: deployMs.map(r1),
          medianWallMs: r1(deployMedian),
          insideDeployMs: own,
          targetMs: TARGET_DEPLOY_MS,
          pass: deployMedian <= TARGET_DEPLOY_MS,
          baselineRestartMs: r1(restartMs),
          ratioToRestart: r1(deployMedian / restartMs),
          skipped: "gates 3-9 and 11 (the monitoring window)",
        },
        sshDeploy: {
          samples: SAMPLES,
          wallMs: sshMs.map(r1),
          medianWallMs: r1(sshMedian),
          overLocalMs: r1(sshMedian - deployMedian),
          targetOverLocalMs: SSH_OVER_LOCAL_MS,
          pass: sshPass,
        },
      },
    };
  } finally {
    try {
      execFileSync(PM2, ["kill"], { env: { ...process.env, PM2_HOME: pm2Home }, stdio: "ignore" });
    } catch {}
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    killTarget(desk.target);
    if (remote) killTarget(remote);
    sshd?.stop();
    rmSync(desk.ws, { recursive: true, force: true });
    rmSync(pm2Home, { recursive: true, force: true });
  }
}
