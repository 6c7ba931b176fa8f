import { EXIT } from "../../errors.js";
import { loadWorkspace } from "../../workspace/load.js";
import type { Handler } from "../program.js";

export const projectsCommand: Handler = async (run) => {
  const workspace = loadWorkspace({ cwd: run.io.cwd, workspace: run.globals.workspace });
  const projects = Object.values(workspace.projects);
  if (run.opts.names) {
    for (const p of projects) run.out.line(p.name);
    return EXIT.ok;
  }
  if (run.globals.json) {
    run.out.json({
      workspace: workspace.name,
      root: workspace.root,
      environments: workspace.environments,
      projects: projects.map((p) => ({
        name: p.name,
        path: p.path,
        kind: p.kind,
        port: p.port ?? null,
        coupledWith: p.coupledWith,
        sendsOrders: p.sendsOrders,
        commands: Object.keys(p.commands),
      })),
    });
    return EXIT.ok;
  }
  const c = run.out.colors;
  run.out.line(`${c.bold(workspace.name)}  ${c.dim(workspace.root)}`);
  run.out.line(c.dim(`environments: ${workspace.environments.join(", ")}`));
  for (const p of projects) {
    const extra = [
      p.port ? `port ${p.port}` : "",
      p.coupledWith.length ? `with ${p.coupledWith.join(", ")}` : "",
      p.sendsOrders ? "sends orders" : "",
    ]
      .filter(Boolean)
      .join(", ");
    run.out.line(`  ${p.name.padEnd(18)} ${p.kind.padEnd(9)} ${p.path}${extra ? c.dim(`  (${extra})`) : ""}`);
  }
  return EXIT.ok;
};
