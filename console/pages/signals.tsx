/** The signal log: search by project, kind and text, page back, verify the hash chains, export. */
import { useEffect, useState } from "preact/hooks";
import { get, type Project, type SignalRecord } from "../api.js";
import { shortTime, summarize } from "../format.js";

const KINDS = ["signal", "order_decision", "risk_rejection", "halt", "resume", "deploy_marker", "checkpoint"];

interface Page {
  records: SignalRecord[];
  nextBefore: number | null;
  note?: string;
}

interface Verify {
  chains: { project: string; ok: boolean; records: number; firstBad?: { seq: number; reason: string } }[];
  note?: string;
}

export function SignalsPage() {
  const [projects, setProjects] = useState<string[]>([]);
  const [project, setProject] = useState("");
  const [kind, setKind] = useState("");
  const [q, setQ] = useState("");
  const [page, setPage] = useState<Page>({ records: [], nextBefore: null });
  const [verify, setVerify] = useState<Verify | null>(null);
  const [error, setError] = useState("");
  const query = (before?: number) =>
    new URLSearchParams({
      ...(project ? { project } : {}),
      ...(kind ? { kind } : {}),
      ...(q ? { q } : {}),
      ...(before ? { before: String(before) } : {}),
      limit: "100",
    }).toString();
  const search = async (more = false) => {
    setError("");
    try {
      const next = await get<Page>(`/signals?${query(more ? (page.nextBefore ?? undefined) : undefined)}`);
      setPage(more ? { ...next, records: [...page.records, ...next.records] } : next);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void get<{ projects: Project[] }>("/projects").then((r) => setProjects(r.projects.map((p) => p.name)));
    void search();
  }, []);
  return (
    <section aria-labelledby="signals-title">
      <h1 id="signals-title">Signals</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label>
          Project
          <select value={project} onChange={(e) => setProject(e.currentTarget.value)}>
            <option value="">all</option>
            {projects.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">all</option>
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input
            type="search"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
            placeholder="text in the payload"
          />
        </label>
        <button type="submit" class="primary">
          Search
        </button>
        <button
          type="button"
          onClick={async () =>
            setVerify(await get<Verify>(`/signals/verify${project ? `?project=${encodeURIComponent(project)}` : ""}`))
          }
        >
          Verify chains
        </button>
        <a
          class="button"
          href={`/api/v1/signals/export?format=csv${project ? `&project=${encodeURIComponent(project)}` : ""}`}
          download
        >
          Export CSV
        </a>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {verify ? (
        <ul class="verify" role="status" data-testid="verify">
          {verify.chains.length ? (
            verify.chains.map((c) => (
              <li key={c.project} class={c.ok ? "ok" : "bad"}>
                {c.ok ? "✔ intact" : `✘ broken at record ${c.firstBad?.seq} (${c.firstBad?.reason})`}: {c.project},{" "}
                {c.records} records
              </li>
            ))
          ) : (
            <li>{verify.note ?? "no chains yet"}</li>
          )}
        </ul>
      ) : null}
      {page.note ? <p class="notice">{page.note}</p> : null}
      <div class="table-wrap">
        <table data-testid="signals-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Project</th>
              <th scope="col">Seq</th>
              <th scope="col">Kind</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {page.records.map((r) => (
              <tr key={`${r.project}-${r.seq}`}>
                <td class="mono">{shortTime(r.time)}</td>
                <td>{r.project}</td>
                <td>{r.seq}</td>
                <td>{r.kind}</td>
                <td>{summarize(r.payload)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.nextBefore ? (
        <button type="button" onClick={() => void search(true)}>
          Older records
        </button>
      ) : null}
    </section>
  );
}
