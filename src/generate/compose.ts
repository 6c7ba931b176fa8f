/**
 * A Dockerfile and a compose.yaml per project: the environment pinned, secrets as compose secrets (files under
 * /run/secrets, never in the environment or the image), the image's HEALTHCHECK on level 1 (the manifest's
 * health.path) and compose's health check on level 2 (health.detailedPath), which is what `depends_on:
 * service_healthy` asks: the endpoints `tradeops health` asks, which any service in any language can serve.
 */
import { existsSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { stringify } from "yaml";
import type { EnvironmentName } from "../environment/names.js";
import type { Project, Workspace } from "../workspace/types.js";
import {
  containerPort,
  dnsName,
  GENERATED_NOTE,
  type GeneratedFile,
  type GenerateOptions,
  imageOf,
  remoteSecrets,
  runnableProjects,
} from "./projects.js";

/** A probe with only exit statuses 0 and 1 (Docker reserves 2), in node: the slim image has no curl. */
const probe = (port: number, path: string) =>
  `fetch('http://127.0.0.1:${port}${path}').then(r => { process.exitCode = r.ok ? 0 : 1 }, () => { process.exitCode = 1 })`;

function isPython(workspace: Workspace, project: Project): boolean {
  const dir = join(workspace.root, project.path);
  return (
    ["requirements.txt", "pyproject.toml"].some((f) => existsSync(join(dir, f))) ||
    /python/.test(project.commands.start ?? "")
  );
}

export function dockerfile(workspace: Workspace, project: Project, environment: EnvironmentName): string {
  const port = containerPort(project);
  const python = isPython(workspace, project);
  const lines = [
    `# ${GENERATED_NOTE}`,
    "FROM node:20-slim",
    ...(python
      ? [
          "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /var/lib/apt/lists/*",
        ]
      : []),
    "WORKDIR /app",
    "COPY package*.json ./",
    "RUN npm ci --omit=dev",
    "COPY tradeops.yaml ./",
    ...workspace.shared.map((s) => `COPY ${s} ./${s}`),
    `COPY ${project.path} ./${project.path}`,
    ...(python && existsSync(join(workspace.root, project.path, "requirements.txt"))
      ? [`RUN pip3 install --no-cache-dir --break-system-packages -r ${project.path}/requirements.txt`]
      : []),
    "ENV PATH=/app/node_modules/.bin:$PATH",
    // the environment is pinned in the image: detection never guesses inside a container
    `ENV ${workspace.detect.variable}=${environment} PORT=${port}`,
    `WORKDIR /app/${project.path}`,
    `EXPOSE ${port}`,
    "HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --start-interval=2s --retries=4 \\",
    `  CMD ["node", "-e", "${probe(port, project.health.path)}"]`,
    "USER node",
    `CMD ["sh", "-c", ${JSON.stringify(`exec ${project.commands.start}`)}]`,
    "",
  ];
  return lines.join("\n");
}

export function composeFile(options: GenerateOptions, project: Project, dir: string): Record<string, unknown> {
  const { workspace, environment } = options;
  const port = containerPort(project);
  const name = dnsName(project.name);
  const secrets = remoteSecrets(project, environment);
  const context = posix.normalize(relative(join(workspace.root, dir), workspace.root) || ".");
  return {
    name: dnsName(`${workspace.name}-${project.name}`),
    services: {
      [name]: {
        image: imageOf(options, project),
        build: { context, dockerfile: posix.join(relative(workspace.root, join(workspace.root, dir)), "Dockerfile") },
        environment: { [workspace.detect.variable]: environment, PORT: String(port) },
        ports: [`127.0.0.1:${port}:${port}`],
        ...(secrets.length
          ? { secrets: secrets.map((s) => ({ source: s.name.toLowerCase(), target: s.name, mode: 0o400 })) }
          : {}),
        healthcheck: {
          test: ["CMD", "node", "-e", probe(port, project.health.detailedPath)],
          interval: "10s",
          timeout: "3s",
          retries: 3,
          start_period: "120s",
        },
        restart: "unless-stopped",
        stop_grace_period: "40s",
      },
    },
    ...(secrets.length
      ? { secrets: Object.fromEntries(secrets.map((s) => [s.name.toLowerCase(), { environment: s.name }])) }
      : {}),
  };
}

export function composeFiles(options: GenerateOptions): GeneratedFile[] {
  return runnableProjects(options.workspace).flatMap((project) => {
    const dir = posix.join(options.out, "docker", project.name);
    return [
      { path: `docker/${project.name}/Dockerfile`, text: dockerfile(options.workspace, project, options.environment) },
      {
        path: `docker/${project.name}/compose.yaml`,
        text: `# ${GENERATED_NOTE}\n# docker compose -f ${dir}/compose.yaml up --build\n${stringify(composeFile(options, project, dir))}`,
      },
    ];
  });
}
