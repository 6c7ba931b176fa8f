/** Dependency order for component start-up: a pure function, so cycles and unknown names are tested alone. */
import { TroError } from "../errors.js";

export interface DependencyNode {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/**
 * Names in an order where each comes after everything it depends on; ties keep registration order.
 * @throws TRO_ERR_INTERNAL when a dependency is not registered or the dependencies form a cycle
 */
export function dependencyOrder(nodes: readonly DependencyNode[]): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (!byName.has(dep)) {
        throw new TroError(
          "TRO_ERR_INTERNAL",
          `component "${node.name}" depends on "${dep}", which is not registered`,
          {
            hint: `Register "${dep}" before starting the service, or remove it from dependsOn.`,
          },
        );
      }
    }
  }
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (done.has(name)) return;
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" → ");
      throw new TroError("TRO_ERR_INTERNAL", `components depend on each other in a cycle: ${cycle}`, {
        hint: "Break the cycle: a component may only depend on components that start before it.",
      });
    }
    for (const dep of byName.get(name)!.dependsOn) visit(dep, [...path, name]);
    done.add(name);
    order.push(name);
  };
  for (const node of nodes) visit(node.name, []);
  return order;
}
