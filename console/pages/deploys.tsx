/** Deploy history of this environment (gates, health verdicts, outcomes), newest first, and rollback. */
import { useState } from "preact/hooks";
import { ApiError, get, post } from "../api.js";
import { usePoll } from "../components.js";
import { shortTime } from "../format.js";

interface DeployRecord {
  kind: string;
  project: string;
  environment: string;
  host: string;
  startedAt: string;
  outcome?: string;
  release?: string;
  previous?: string;
  who: string;
  gates: { gate: string; status: string }[];
  health?: { level: number; verdict: string };
}

export function DeploysPage({ environment }: { environment: string }) {
  const { data, error, reload } = usePoll(
    () => get<{ records: DeployRecord[]; unreachable: string[] }>("/deploys?limit=100"),
    10_000,
  );
  const [notice, setNotice] = useState("");
  const rollback = async (project: string) => {
    if (!window.confirm(`Roll ${project} back to its last known-good release in ${environment}?`)) return;
    setNotice(`rolling back ${project}…`);
    try {
      await post(`/projects/${encodeURIComponent(project)}/rollback`, { reason: "from the console" });
      setNotice(`${project} rolled back`);
    } catch (e) {
      setNotice(e instanceof ApiError ? e.message : "the rollback failed");
    }
    reload();
  };
  const records = data?.records ?? [];
  return (
    <section aria-labelledby="deploys-title">
      <h1 id="deploys-title">Deploys in {environment}</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {data?.unreachable.length ? <p class="notice">Not reachable: {data.unreachable.join(", ")}</p> : null}
      {data && !records.length ? <p class="muted">No deploy recorded in {environment}.</p> : null}
      <div class="table-wrap">
        <table data-testid="deploys-table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">What</th>
              <th scope="col">Project</th>
              <th scope="col">Host</th>
              <th scope="col">Outcome</th>
              <th scope="col">Release</th>
              <th scope="col">Gates</th>
              <th scope="col">Health</th>
              <th scope="col">By</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={`${r.project}-${r.host}-${r.startedAt}`}>
                <td class="mono">{shortTime(r.startedAt)}</td>
                <td>{r.kind}</td>
                <td>{r.project}</td>
                <td>{r.host}</td>
                <td>{r.outcome ?? "–"}</td>
                <td class="mono">
                  {r.release ?? "–"}
                  {r.previous ? ` (was ${r.previous})` : ""}
                </td>
                <td>{r.gates.map((g) => `${g.gate}:${g.status}`).join(" ")}</td>
                <td>{r.health ? `L${r.health.level} ${r.health.verdict}` : "–"}</td>
                <td>{r.who}</td>
                <td>
                  <button type="button" onClick={() => void rollback(r.project)}>
                    Roll back {r.project}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
