/**
 * How a project deploys, decided by its kind: behind the front proxy (blue/green on ports), as a worker (no port,
 * no proxy: its own health checks), or as static files (a release directory switched in through `current`).
 */
import { TroError } from "../errors.js";
import type { Project } from "../workspace/types.js";

/** `worker`: a process without a port; `static`: built files, no process. Absent: blue/green behind the proxy. */
export type PortlessStyle = "worker" | "static";

/**
 * The portless style of a project on a target without a port, or undefined when it needs one (a service).
 * @throws TroError TRO_ERR_MANIFEST_INVALID for a frontend that has neither a start command nor an output directory
 */
export function portlessStyleOf(project: Project, where: string): PortlessStyle | undefined {
  if (project.kind === "frontend" && !project.commands.start) {
    if (!project.outputDir || !project.commands.build) {
      throw new TroError(
        "TRO_ERR_MANIFEST_INVALID",
        `${where}: the frontend ${project.name} has no start command, so it deploys as static files, and it needs commands.build and outputDir for that.`,
        { hint: `Set projects.${project.name}.commands.build and projects.${project.name}.outputDir (e.g. dist).` },
      );
    }
    return "static";
  }
  if (project.kind === "worker" || project.kind === "strategy") return "worker";
  return undefined;
}

/** How a target is reached, for listings: its ports, or what a portless target is. */
export function describeTargetPorts(target: {
  readonly style?: PortlessStyle;
  readonly port: number;
  readonly internalPorts: readonly [number, number];
  readonly path: string;
}): string {
  if (target.style === "worker") return "worker: no port, no proxy";
  if (target.style === "static") return `static files: served from ${target.path.replace(/\/+$/, "")}/current`;
  return `public :${target.port}, blue :${target.internalPorts[0]}, green :${target.internalPorts[1]}`;
}

/** Where a planned release goes, for the plan: its colour and port, or the portless equivalent. */
export function describePlannedSlot(d: {
  readonly color: string;
  readonly port: number;
  readonly target: { readonly style?: PortlessStyle; readonly port: number; readonly path: string };
}): string {
  if (d.target.style === "worker") return `${d.color} (worker, no port)`;
  if (d.target.style === "static") return `${d.target.path.replace(/\/+$/, "")}/current (static files)`;
  return `${d.color} :${d.port}, public :${d.target.port}`;
}

/** The steps a plan shows for a portless target. */
export function portlessSteps(
  style: PortlessStyle,
  sendsOrders: boolean,
  commands: Record<string, unknown>,
  secrets: "deployer" | "host" = "deployer",
): string[] {
  const prep = [
    "upload",
    ...(secrets === "host" ? ["secrets"] : []),
    ...(commands.install ? ["install"] : []),
    ...(commands.migrate ? ["migrate"] : []),
  ];
  if (style === "static") return [...prep, "switch", "monitor", "finish"];
  return [...prep, ...(sendsOrders ? ["handoff", "start"] : ["start", "switch"]), "monitor", "finish"];
}
