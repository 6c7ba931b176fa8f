// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` are GitHub Actions expressions, written as text
/**
 * A GitHub Actions workflow: each strategy backtested on archived bars in a matrix, the other projects tested,
 * then one deploy job per environment with a target, behind GitHub's environment protection and the policy's
 * confirmation phrase as a required input. Inputs reach commands through `env:` (never spliced into scripts).
 */
import { stringify } from "yaml";
import { ENVIRONMENTS } from "../environment/names.js";
import type { Project, Workspace } from "../workspace/types.js";
import { GENERATED_NOTE, type GeneratedFile } from "./projects.js";

const CHECKOUT = { uses: "actions/checkout@v4", with: { "fetch-depth": 0 } };
const NODE = { uses: "actions/setup-node@v4", with: { "node-version": 20, cache: "npm" } };
const INSTALL = { name: "install", run: "npm ci" };
// the project's own test command, from the manifest (not from an input), in its directory
const TESTS = {
  name: "tests",
  if: "matrix.test != ''",
  run: "${{ matrix.test }}",
  "working-directory": "${{ matrix.path }}",
};
const row = (p: Project) => ({ project: p.name, path: p.path, test: p.commands.test ?? "" });

export function githubWorkflow(workspace: Workspace): Record<string, unknown> {
  const detect = workspace.detect.variable;
  const projects = Object.values(workspace.projects).sort((a, b) => a.name.localeCompare(b.name));
  const strategies = projects.filter((p) => p.kind === "strategy");
  const others = projects.filter((p) => p.kind !== "strategy" && p.commands.test);
  const deployTo = ENVIRONMENTS.filter((e) => Object.keys(workspace.targets[e] ?? {}).length);
  const jobs: Record<string, unknown> = {};
  const testJobs: string[] = [];
  if (strategies.length) {
    testJobs.push("strategies");
    jobs.strategies = {
      name: "${{ matrix.project }}: tests and backtest on archived bars",
      "runs-on": "ubuntu-latest",
      strategy: {
        "fail-fast": false,
        matrix: { include: strategies.map(row) },
      },
      env: { [detect]: "test", USE_ARCHIVED_DATA: "true" },
      steps: [
        CHECKOUT,
        NODE,
        INSTALL,
        {
          name: "bar archive",
          uses: "actions/cache@v4",
          with: {
            path: ".tradeops/bars.db",
            key: "bars-${{ matrix.project }}-${{ hashFiles('**/config/test.yaml') }}",
          },
        },
        {
          name: "config",
          run: 'npx tradeops config check "$PROJECT" --all-envs',
          env: { PROJECT: "${{ matrix.project }}" },
        },
        TESTS,
        {
          name: "backtest",
          run: 'npx tradeops backtest "$PROJECT" --env test --report "backtest-$PROJECT.html"',
          env: { PROJECT: "${{ matrix.project }}" },
        },
        {
          uses: "actions/upload-artifact@v4",
          with: { name: "backtest-${{ matrix.project }}", path: "backtest-${{ matrix.project }}.html" },
        },
      ],
    };
  }
  if (others.length) {
    testJobs.push("projects");
    jobs.projects = {
      name: "${{ matrix.project }}: tests",
      "runs-on": "ubuntu-latest",
      strategy: { "fail-fast": false, matrix: { include: others.map(row) } },
      env: { [detect]: "test" },
      steps: [CHECKOUT, NODE, INSTALL, TESTS],
    };
  }
  for (const env of deployTo) {
    const phrase = workspace.policies[env]?.confirmPhrase;
    jobs[`deploy-${env}`] = {
      name: `deploy \${{ inputs.project }} to ${env}`,
      if: `github.event_name == 'workflow_dispatch' && inputs.environment == '${env}'`,
      ...(testJobs.length ? { needs: testJobs } : {}),
      "runs-on": "ubuntu-latest",
      // GitHub's environment protection (reviewers, wait timers, branch rules) applies before this job runs
      environment: env,
      concurrency: { group: `deploy-${env}`, "cancel-in-progress": false },
      env: { [detect]: env, PROJECT: "${{ inputs.project }}", CONFIRM: "${{ inputs.confirm }}" },
      steps: [
        CHECKOUT,
        NODE,
        INSTALL,
        { name: "gates", run: `npx tradeops gates "$PROJECT" --to ${env}` },
        {
          name: "deploy",
          run: `npx tradeops deploy "$PROJECT" --to ${env}${phrase ? ' --confirm "$CONFIRM"' : ""}`,
        },
      ],
    };
  }
  return {
    name: `tradeops ${workspace.name}`,
    on: {
      push: { branches: ["main"] },
      pull_request: {},
      workflow_dispatch: {
        inputs: {
          project: { description: "project to deploy, or all", required: true, type: "string", default: "all" },
          environment: {
            description: "where to deploy",
            required: true,
            type: "choice",
            options: deployTo.length ? deployTo : ["staging"],
          },
          confirm: {
            description: "the environment's confirmation phrase (policies.<environment>.confirmPhrase)",
            required: true,
            type: "string",
          },
        },
      },
    },
    permissions: { contents: "read" },
    jobs,
  };
}

export function githubActionsFiles(workspace: Workspace): GeneratedFile[] {
  const text = `# ${GENERATED_NOTE}\n# Copy to .github/workflows/ (or generate straight there with --out .github/workflows).\n${stringify(githubWorkflow(workspace), { lineWidth: 0 })}`;
  return [{ path: "tradeops.yml", text }];
}
