// Installs the system packages the test suite needs when they are missing (apt-get, as root), so that
// `npm test` works on a new machine. Each entry names what needs it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const NEEDS = [
  { check: "python3", pkg: "python3", why: "the example desk's Python project" },
  { check: "bash", pkg: "bash", why: "shell completion tests" },
  { check: "git", pkg: "git", why: "deploy change detection and artifacts" },
  { check: "/usr/lib/postgresql/15/bin/initdb", pkg: "postgresql", why: "signal log tests on a real PostgreSQL" },
  { check: "/usr/sbin/sshd", pkg: "openssh-server", why: "deploys to a real SSH target" },
  { check: "ssh", pkg: "openssh-client", why: "deploys to a real SSH target" },
  { check: "/usr/bin/chromium", pkg: "chromium", why: "report and dashboard screenshots in a real browser" },
  { check: "systemd-analyze", pkg: "systemd", why: "validating generated systemd units" },
  { check: "script", pkg: "bsdutils", why: "running `tradeops up` on a real terminal in tests" },
];

const has = (check) =>
  check.startsWith("/") ? existsSync(check) : spawnSync("sh", ["-c", `command -v ${check}`]).status === 0;
const missing = NEEDS.filter((n) => !has(n.check));
if (!missing.length) process.exit(0);

const list = missing.map((n) => `${n.pkg} (${n.why})`).join(", ");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot || !has("apt-get")) {
  process.stderr.write(`provision: missing ${list}; install them with your package manager, then rerun npm test.\n`);
  process.exit(1);
}
process.stdout.write(`provision: installing ${list}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...new Set(missing.map((n) => n.pkg))], {
  stdio: "inherit",
  env,
});
