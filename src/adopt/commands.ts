/** The commands `init` proposes for a detected project: from package.json scripts, Python files, a Procfile, a unit. */
import { basename } from "node:path";
import type { DetectedProject, PackageJson, ProjectKind, SystemdUnit } from "./detect.js";
import { readText } from "./scan.js";

const prefix = (dir: string) => (dir === "." ? "" : `${dir}/`);

export interface CommandFacts {
  readonly root: string;
  readonly dir: string;
  readonly names: readonly string[];
  readonly pkg: PackageJson | undefined;
  readonly language: DetectedProject["language"];
  readonly units: readonly SystemdUnit[];
  readonly kind: ProjectKind;
  readonly code: string;
  readonly port: number | undefined;
}

export function commandsFor(f: CommandFacts): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.pkg) {
    out.install = f.names.includes("package-lock.json") ? "npm ci" : "npm install";
    for (const s of ["test", "lint", "build", "start"] as const) {
      if (f.pkg.scripts?.[s]) out[s] = s === "test" ? "npm test" : `npm run ${s}`;
    }
    return out;
  }
  if (f.language === "python") {
    if (f.names.includes("requirements.txt")) out.install = "pip install -r requirements.txt";
    else if (f.names.includes("pyproject.toml"))
      out.install = /^\[tool\.poetry\]/m.test(readText(f.root, `${prefix(f.dir)}pyproject.toml`))
        ? "poetry install"
        : "pip install .";
    if (f.names.some((n) => /(^|\/)(tests?\/|test_[^/]*\.py$|[^/]*_test\.py$)/.test(n))) out.test = "python3 -m pytest";
  }
  const start = startCommand(f);
  if (start) out.start = start;
  return out;
}

function startCommand(f: CommandFacts): string | undefined {
  const procfile = f.names.includes("Procfile") ? readText(f.root, `${prefix(f.dir)}Procfile`) : "";
  const web = procfile.match(/^(?:web|worker|bot):\s*(.+)$/m)?.[1]?.trim();
  if (web) return web;
  const exec = f.units[0]?.execStart;
  if (exec) {
    // the unit's absolute paths point at a server's checkout: keep the program and the file inside the project
    const parts = exec.split(/\s+/).map((p) => (p.startsWith("/") ? basename(p) : p));
    const script = exec.split(/\s+/).find((p) => /\.(py|js|mjs|ts)$/.test(p));
    if (script) {
      const inProject = f.names.find((n) => script.endsWith(`/${n}`) || script === n);
      return `${/python/.test(parts[0] ?? "") ? "python3" : parts[0]} ${inProject ?? basename(script)}`;
    }
    return parts.join(" ");
  }
  const dockerCmd = f.names.includes("Dockerfile")
    ? readText(f.root, `${prefix(f.dir)}Dockerfile`).match(/^CMD\s+\[(.+)\]\s*$/m)?.[1]
    : undefined;
  if (dockerCmd) return (JSON.parse(`[${dockerCmd}]`) as string[]).join(" ");
  // python3: Debian and Ubuntu ship no `python` command, and a systemd unit pins PATH to the system's directories
  if (f.language === "python") {
    const app = /\bFastAPI\(/.test(f.code) ? f.names.find((n) => /(^|\/)(main|app)\.py$/.test(n)) : undefined;
    if (app) return `uvicorn ${app.replace(/\.py$/, "").replaceAll("/", ".")}:app --port \${PORT:-${f.port ?? 8000}}`;
    const main = ["main.py", "bot.py", "app.py", "run.py", "runner.py"].find((n) => f.names.includes(n));
    if (main) return `python3 ${main}`;
    const run = f.names.find((n) => /(^|\/)run[^/]*\.py$/.test(n));
    if (run) return `python3 ${run}`;
    // the one script meant to be run (`if __name__ == "__main__":`), outside the tests
    const mains = f.names.filter(
      (n) =>
        n.endsWith(".py") &&
        !/(^|\/)(tests?\/|test_)/.test(n) &&
        /^if __name__ == ["']__main__["']:/m.test(readText(f.root, `${prefix(f.dir)}${n}`)),
    );
    if (mains.length === 1) return `python3 ${mains[0]}`;
    const topLevel = f.names.filter((n) => /^[^/]+\.py$/.test(n) && !/^(test_|setup\.py$|conftest\.py$)/.test(n));
    if (!mains.length && topLevel.length === 1) return `python3 ${topLevel[0]}`;
  }
  return undefined;
}
