/** `secrets check` as text: per project, each secret with the source that won, or why it needs none here. */
import type { SecretsReport } from "../../secrets/resolve.js";
import type { Output } from "../io.js";

export function renderSecretsReports(out: Output, reports: readonly SecretsReport[], verbose: boolean): void {
  const c = out.colors;
  for (const report of reports) {
    out.line(`${c.bold(report.project)} in ${c.bold(report.environment)}`);
    for (const s of report.secrets) {
      const mark = s.secret ? c.green("✔") : s.required ? c.red("✘") : c.dim("–");
      const what = s.secret
        ? `from ${s.source}${s.lastResort ? c.yellow(" (last resort)") : ""}${s.notRequired ? c.dim(` (not required: ${s.notRequired})`) : ""}`
        : s.required
          ? (s.error ?? `no value from ${s.attempts.map((a) => a.source).join(", ")}`)
          : `not required: ${s.notRequired}${s.error ? c.yellow(` (${s.error})`) : ""}`;
      out.line(`  ${mark} ${s.name.padEnd(22)} ${what}`);
      if ((!s.secret && s.required) || verbose) {
        for (const a of s.attempts)
          out.line(c.dim(`      ${a.source}: ${a.outcome}${a.reason ? ` (${a.reason})` : ""}`));
      }
    }
    for (const w of report.warnings) out.warn(w);
  }
}
