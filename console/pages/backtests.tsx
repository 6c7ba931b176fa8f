/** Backtests: start one (strategy, range, data, initial capital), watch its progress, open its report, compare two. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type BacktestJob, get, type Project, post, subscribe } from "../api.js";
import { money, pct } from "../format.js";

const METRICS: [string, (n: number) => string][] = [
  ["totalReturn", pct],
  ["cagr", pct],
  ["maxDrawdown", pct],
  ["sharpe", (n) => n.toFixed(2)],
  ["trades", String],
  ["winRate", pct],
  ["fees", money],
  ["finalEquity", money],
  ["initialCash", money],
];

export function BacktestsPage() {
  const [strategies, setStrategies] = useState<string[]>([]);
  const [jobs, setJobs] = useState<BacktestJob[]>([]);
  const [form, setForm] = useState({ project: "", from: "", to: "", data: "", initialCash: "100000" });
  const [error, setError] = useState("");
  const [compare, setCompare] = useState<string[]>([]);
  const upsert = (job: BacktestJob) =>
    setJobs((list) => [job, ...list.filter((j) => j.id !== job.id)].sort((a, b) => (a.id < b.id ? 1 : -1)));
  useEffect(() => {
    void get<{ projects: Project[] }>("/projects").then((r) => {
      const names = r.projects.filter((p) => p.kind === "strategy").map((p) => p.name);
      setStrategies(names);
      setForm((f) => ({ ...f, project: f.project || names[0] || "" }));
    });
    void get<{ backtests: BacktestJob[] }>("/backtests").then((r) => setJobs(r.backtests));
  }, []);
  const running = jobs
    .filter((j) => j.status === "queued" || j.status === "running")
    .map((j) => j.id)
    .join(",");
  useEffect(() => {
    const closers = running
      ? running.split(",").map((id) =>
          subscribe(`/backtests/${id}/events`, {
            progress: (j) => upsert(j as BacktestJob),
            done: (j) => upsert(j as BacktestJob),
          }),
        )
      : [];
    return () => {
      for (const close of closers) close();
    };
  }, [running]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      upsert(
        await post<BacktestJob>("/backtests", {
          project: form.project,
          ...(form.from ? { from: form.from } : {}),
          ...(form.to ? { to: form.to } : {}),
          ...(form.data ? { data: form.data } : {}),
          ...(form.initialCash ? { initialCash: Number(form.initialCash) } : {}),
        }),
      );
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "the console did not answer");
    }
  };
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onInput: (e: Event) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value }),
  });
  const chosen = jobs.filter((j) => compare.includes(j.id) && j.summary);
  return (
    <section aria-labelledby="backtests-title">
      <h1 id="backtests-title">Backtests</h1>
      <form class="filters" onSubmit={submit} aria-label="start a backtest">
        <label>
          Strategy
          <select value={form.project} onChange={(e) => setForm({ ...form, project: e.currentTarget.value })}>
            {strategies.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" {...field("from")} />
        </label>
        <label>
          To
          <input type="date" {...field("to")} />
        </label>
        <label>
          Data
          <input {...field("data")} placeholder="default: the config's" />
        </label>
        <label>
          Initial capital
          <input type="number" min="1" step="any" {...field("initialCash")} />
        </label>
        <button type="submit" class="primary">
          Start backtest
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="table-wrap">
        <table data-testid="backtests-table">
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col">Id</th>
              <th scope="col">Strategy</th>
              <th scope="col">Range</th>
              <th scope="col">Status</th>
              <th scope="col">Return</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-status={j.status}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`compare ${j.id}`}
                    disabled={!j.summary}
                    checked={compare.includes(j.id)}
                    onChange={(e) =>
                      setCompare(
                        e.currentTarget.checked ? [...compare, j.id].slice(-2) : compare.filter((c) => c !== j.id),
                      )
                    }
                  />
                </td>
                <td class="mono">{j.id}</td>
                <td>{j.request.project}</td>
                <td>
                  {j.request.from ?? "start"} → {j.request.to ?? "end"}
                </td>
                <td>
                  {j.status === "running" || j.status === "queued" ? (
                    <label>
                      {j.status} <progress max={1} value={j.progress} aria-label={`progress of ${j.id}`} />{" "}
                      {Math.round(j.progress * 100)}%
                    </label>
                  ) : j.status === "failed" ? (
                    <span class="bad">failed: {j.error}</span>
                  ) : (
                    "succeeded"
                  )}
                </td>
                <td>{j.summary ? pct(j.summary.totalReturn ?? 0) : "–"}</td>
                <td>
                  {j.reportUrl ? (
                    <a href={j.reportUrl} target="_blank" rel="noopener">
                      Open report
                    </a>
                  ) : (
                    "–"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {chosen.length === 2 ? (
        <>
          <h2>Comparison</h2>
          <div class="table-wrap">
            <table data-testid="compare-table">
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  {chosen.map((j) => (
                    <th scope="col" key={j.id}>
                      {j.request.project} {j.id}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {METRICS.map(([key, show]) => (
                  <tr key={key}>
                    <th scope="row">{key}</th>
                    {chosen.map((j) => (
                      <td key={j.id}>{j.summary?.[key] === undefined ? "–" : show(j.summary[key]!)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p class="muted">Tick two finished backtests to compare them.</p>
      )}
    </section>
  );
}
