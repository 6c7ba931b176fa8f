/**
 * Kubernetes manifests built with typed models (kubernetes-models) and validated by them: per project a Service,
 * a ConfigMap of its layered config, ExternalSecrets for its secrets, probes mapped to the health levels (startup
 * and liveness on level 1, readiness on level 2) and a PodDisruptionBudget. Order senders run one pod with
 * `strategy: Recreate` and hold the executor lease as a coordination.k8s.io/v1 Lease; services roll out through
 * Argo Rollouts with an AnalysisTemplate asking level 3 health, so automatic rollback keeps working on the cluster.
 */
import { AnalysisTemplate, Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";
import { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1beta1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Lease } from "kubernetes-models/coordination.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Service, ServiceAccount } from "kubernetes-models/v1";
import { stringify } from "yaml";
import type { Project } from "../workspace/types.js";
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

/** Something kubernetes-models built: validated against its schema before it is written. */
interface Model {
  validate(): void;
  toJSON(): unknown;
}

export interface KubernetesInput extends GenerateOptions {
  /** config values per project, flattened to variables, sensitive keys left out */
  readonly configVars: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function kubernetesModels(input: KubernetesInput, project: Project): Model[] {
  const ns = input.namespace ?? dnsName(input.workspace.name);
  const name = dnsName(project.name);
  const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": dnsName(input.workspace.name) };
  const metadata = (suffix = "") => ({ name: `${name}${suffix}`, namespace: ns, labels });
  const port = containerPort(project);
  const secrets = remoteSecrets(project, input.environment);
  const models: Model[] = [];

  models.push(new ConfigMap({ metadata: metadata("-config"), data: { ...input.configVars[project.name] } }));
  for (const provider of ["aws-secrets", "aws-ssm"] as const) {
    const own = secrets.filter((s) => s.provider === provider);
    if (!own.length) continue;
    models.push(
      new ExternalSecret({
        metadata: metadata(`-${provider}`),
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "ClusterSecretStore", name: `tradeops-${provider}` },
          target: { name: `${name}-${provider}`, creationPolicy: "Owner" },
          data: own.map((s) => ({ secretKey: s.name, remoteRef: { key: s.key } })),
        },
      }),
    );
  }
  const secretRefs = [...new Set(secrets.map((s) => s.provider))].map((p) => ({ secretRef: { name: `${name}-${p}` } }));
  const probe = (path: string) => ({ httpGet: { path, port: "http" } });
  const container = {
    name,
    image: imageOf(input, project),
    ports: [{ name: "http", containerPort: port }],
    env: [
      { name: input.workspace.detect.variable, value: input.environment },
      { name: "PORT", value: String(port) },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ],
    envFrom: [{ configMapRef: { name: `${name}-config` } }, ...secretRefs],
    startupProbe: { ...probe(project.health.path), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 60 },
    livenessProbe: { ...probe(project.health.path), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 },
    readinessProbe: {
      ...probe(project.health.detailedPath),
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 2,
    },
  };
  const selector = { matchLabels: { "app.kubernetes.io/name": name } };
  const template = (extra: Record<string, unknown> = {}) => ({
    metadata: { labels, annotations: { "tradeops.dev/environment": input.environment } as Record<string, string> },
    spec: { terminationGracePeriodSeconds: 60, containers: [container], ...extra },
  });
  models.push(
    new Service({
      metadata: metadata(),
      spec: {
        selector: selector.matchLabels,
        ports: [{ name: "http", port, targetPort: "http" }],
      },
    }),
  );

  if (project.sendsOrders) {
    // one pod at a time, and the executor lease on the cluster: never two releases sending orders
    const lease = `${name}-executor`;
    models.push(new Lease({ metadata: metadata("-executor"), spec: { leaseDurationSeconds: 15 } }));
    models.push(new ServiceAccount({ metadata: metadata() }));
    models.push(
      new Role({
        metadata: metadata("-executor"),
        rules: [
          {
            apiGroups: ["coordination.k8s.io"],
            resources: ["leases"],
            resourceNames: [lease],
            verbs: ["get", "update", "patch"],
          },
        ],
      }),
    );
    models.push(
      new RoleBinding({
        metadata: metadata("-executor"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: lease },
        subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
      }),
    );
    const pod = template({ serviceAccountName: name });
    pod.metadata.annotations = { ...pod.metadata.annotations, "tradeops.dev/executor-lease": lease };
    models.push(
      new Deployment({
        metadata: metadata(),
        spec: { replicas: 1, strategy: { type: "Recreate" }, selector, template: pod },
      }),
    );
    models.push(new PodDisruptionBudget({ metadata: metadata(), spec: { maxUnavailable: 1, selector } }));
    return models;
  }

  const analysis = `${name}-level3`;
  models.push(
    new AnalysisTemplate({
      metadata: metadata("-level3"),
      spec: {
        metrics: [
          {
            name: "level-3-health",
            interval: "30s",
            count: 4,
            failureLimit: 1,
            // level 2 and 3 answer 200 for degraded too: only `unhealthy` fails the rollout
            successCondition: "result != 'unhealthy'",
            provider: {
              web: {
                url: `http://${name}-canary.${ns}.svc.cluster.local:${port}${project.health.deepPath ?? "/health/deep"}`,
                jsonPath: "{$.status}",
                timeoutSeconds: 10,
                ...(project.secrets.CONTROL_TOKEN
                  ? { headers: [{ key: "Authorization", value: "Bearer {{args.control-token}}" }] }
                  : {}),
              },
            },
          },
        ],
        ...(project.secrets.CONTROL_TOKEN
          ? {
              args: [
                {
                  name: "control-token",
                  valueFrom: {
                    secretKeyRef: {
                      name: secretRefs[0]?.secretRef.name ?? `${name}-aws-secrets`,
                      key: "CONTROL_TOKEN",
                    },
                  },
                },
              ],
            }
          : {}),
      },
    }),
  );
  models.push(
    new Service({
      metadata: metadata("-canary"),
      spec: {
        selector: selector.matchLabels,
        ports: [{ name: "http", port, targetPort: "http" }],
      },
    }),
  );
  models.push(
    new Rollout({
      metadata: metadata(),
      spec: {
        replicas: 2,
        selector,
        template: template(),
        strategy: {
          canary: {
            canaryService: `${name}-canary`,
            stableService: name,
            analysis: { templates: [{ templateName: analysis }], startingStep: 1 },
            steps: [{ setWeight: 50 }, { pause: { duration: "2m" } }, { setWeight: 100 }],
          },
        },
      },
    }),
  );
  models.push(new PodDisruptionBudget({ metadata: metadata(), spec: { minAvailable: 1, selector } }));
  return models;
}

/** One multi-document YAML file per project; every object is validated by its model first. */
export function kubernetesFiles(input: KubernetesInput): GeneratedFile[] {
  return runnableProjects(input.workspace).map((project) => {
    const docs = kubernetesModels(input, project).map((m) => {
      m.validate();
      return stringify(m.toJSON()).trimEnd();
    });
    return { path: `kubernetes/${project.name}.yaml`, text: `# ${GENERATED_NOTE}\n${docs.join("\n---\n")}\n` };
  });
}
