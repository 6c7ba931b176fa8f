/**
 * The one lookup of projects, targets and hosts by name, used by every command and library entry, so that an
 * unknown name is always the same usage error with a "did you mean" and the list of names that exist.
 */
import { TroError } from "../errors.js";
import { closest } from "../validation/suggest.js";
import type { Project, Workspace } from "./types.js";

/** `did you mean x?` for a near miss, else the list of names that exist. */
function suggestion(name: string, known: readonly string[], noun: string): string {
  const near = closest(name, known);
  if (near) return `Did you mean ${near}? ${capital(noun)}: ${known.join(", ")}.`;
  return known.length ? `${capital(noun)}: ${known.join(", ")}.` : `tradeops.yaml declares no ${noun}.`;
}

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/**
 * The project a user named.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN (exit 64) naming the projects that exist
 */
export function requireProject(workspace: Workspace, name: string | undefined): Project {
  const project =
    name === undefined ? undefined : Object.hasOwn(workspace.projects, name) ? workspace.projects[name] : undefined;
  if (!project) {
    const known = Object.keys(workspace.projects);
    throw new TroError("TRO_ERR_PROJECT_UNKNOWN", `There is no project ${name ?? "(none given)"} in tradeops.yaml.`, {
      hint: suggestion(name ?? "", known, "projects"),
    });
  }
  return project;
}

/**
 * `PROJECT` or `all`: the projects a command acts on, optionally only those that have what it needs.
 * @throws TroError TRO_ERR_PROJECT_UNKNOWN
 */
export function selectProjects(
  workspace: Workspace,
  which: string | undefined,
  keep: (project: Project) => boolean = () => true,
): Project[] {
  if (which === undefined || which === "all") return Object.values(workspace.projects).filter(keep);
  return [requireProject(workspace, which)];
}

/** A target host as the manifest writes it: `local`, `host`, `user@host`, `user@host:2222`, `user@[::1]:22`. */
export interface HostSpec {
  readonly local: boolean;
  /** what ssh is given: `user@host` */
  readonly destination: string;
  readonly user?: string;
  /** the host name or address, without brackets */
  readonly host: string;
  readonly port?: number;
}

/** Parses a manifest host string; the one place that knows its grammar. */
export function parseHost(spec: string): HostSpec {
  if (spec === "local") return { local: true, destination: "local", host: "127.0.0.1" };
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(spec)!;
  let rest = portMatch[1]!;
  let port = portMatch[2] === undefined ? undefined : Number(portMatch[2]);
  // a bare IPv6 address has colons of its own: only a bracketed one carries a port
  if (port !== undefined && rest.includes(":") && !rest.endsWith("]")) {
    rest = spec;
    port = undefined;
  }
  const at = rest.lastIndexOf("@");
  const user = at > 0 ? rest.slice(0, at) : undefined;
  const host = (at >= 0 ? rest.slice(at + 1) : rest).replace(/^\[(.*)\]$/, "$1");
  return { local: false, destination: rest, ...(user ? { user } : {}), host, ...(port !== undefined ? { port } : {}) };
}

/** The host part formatted for a URL (`[::1]` for IPv6). */
export function urlHost(spec: HostSpec): string {
  return spec.host.includes(":") ? `[${spec.host}]` : spec.host;
}
