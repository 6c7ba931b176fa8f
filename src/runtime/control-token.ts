/**
 * The token that guards a service's control routes (halt, resume): `TRADEOPS_CONTROL_TOKEN`, or else the
 * project's `CONTROL_TOKEN` secret when it declares one for the environment. The service and `tradeops halt`
 * resolve it the same way, so they agree without being told.
 */
import type { EnvironmentName } from "../environment/names.js";
import { TroError } from "../errors.js";
import { resolveSecrets } from "../secrets/resolve.js";
import { Secret } from "../secrets/secret.js";
import type { Project, Workspace } from "../workspace/types.js";

export const CONTROL_TOKEN_VARIABLE = "TRADEOPS_CONTROL_TOKEN";
export const CONTROL_TOKEN_SECRET = "CONTROL_TOKEN";

export interface ControlTokenOptions {
  readonly workspace: Workspace;
  readonly prepared: { readonly project: Project; readonly environment: string; readonly config?: { values: unknown } };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The token, or undefined when none is configured. @throws TroError TRO_ERR_SECRET_PROVIDER when a source fails */
export async function resolveControlToken(o: ControlTokenOptions): Promise<Secret | undefined> {
  const direct = o.env[CONTROL_TOKEN_VARIABLE];
  if (direct) return new Secret(CONTROL_TOKEN_VARIABLE, `env:${CONTROL_TOKEN_VARIABLE}`, direct);
  const { project, environment } = o.prepared;
  if (!project.secrets[CONTROL_TOKEN_SECRET]?.[environment as EnvironmentName]) return undefined;
  const report = await resolveSecrets({
    workspace: o.workspace,
    project: project.name,
    environment: environment as EnvironmentName,
    env: o.env,
    config: o.prepared.config?.values,
    names: [CONTROL_TOKEN_SECRET],
  });
  const found = report.secrets[0];
  if (found?.error) {
    throw new TroError(
      "TRO_ERR_SECRET_PROVIDER",
      `The ${CONTROL_TOKEN_SECRET} secret of ${project.name} could not be read.`,
      {
        problems: [{ key: `secret ${CONTROL_TOKEN_SECRET}`, message: found.error }],
        hint: `Check its sources with \`tradeops secrets check ${project.name} --env ${environment}\`.`,
      },
    );
  }
  return found?.secret;
}
