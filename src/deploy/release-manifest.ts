/**
 * The manifest a release carries: the workspace's own `tradeops.yaml`, trimmed to the projects the release holds
 * (the deployed one and the shared code shipped with it), so that the release directory is a valid workspace on the
 * target (`tradeops run`, the supervisor) without the other projects' files. Comments and layout are kept.
 */
import { isMap, parseDocument } from "yaml";
import type { Workspace } from "../workspace/types.js";
import { isSharedProject } from "./changes.js";

/** The projects a release of `project` holds. */
export function releaseProjects(workspace: Workspace, project: string): string[] {
  return Object.keys(workspace.projects).filter((p) => p === project || isSharedProject(workspace, p));
}

/** The manifest text without the projects (and their targets and couplings) that the release does not hold. */
export function trimManifest(text: string, keep: readonly string[]): string {
  const doc = parseDocument(text);
  const projects = doc.get("projects");
  if (isMap(projects)) {
    for (const item of [...projects.items]) {
      const name = String((item.key as { value?: unknown })?.value ?? item.key);
      if (!keep.includes(name)) projects.delete(item.key);
      else if (isMap(item.value)) {
        const coupled = item.value.get("coupledWith", true) as { items?: { value?: unknown }[] } | undefined;
        if (coupled?.items) coupled.items = coupled.items.filter((c) => keep.includes(String(c.value ?? c)));
      }
    }
  }
  const targets = doc.get("targets");
  if (isMap(targets)) {
    for (const env of targets.items) {
      if (!isMap(env.value)) continue;
      for (const item of [...env.value.items]) {
        const name = String((item.key as { value?: unknown })?.value ?? item.key);
        if (!keep.includes(name)) env.value.delete(item.key);
      }
    }
  }
  return doc.toString();
}
