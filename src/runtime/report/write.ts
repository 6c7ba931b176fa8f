/** Writes a backtest report: the HTML page and, next to it, the same report as JSON. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BacktestReport } from "./build.js";
import { renderHtml } from "./html.js";

/** Where a project's latest backtest report goes when no path is given, relative to the workspace root. */
export function defaultReportPath(root: string, project: string): string {
  return join(root, ".tradeops", "reports", `${project}-backtest.html`);
}

/** Returns the paths written: `{ html, json }`. */
export function writeReport(report: BacktestReport, htmlPath: string): { html: string; json: string } {
  const json = htmlPath.replace(/\.html?$/i, "") + ".json";
  mkdirSync(dirname(htmlPath), { recursive: true });
  writeFileSync(htmlPath, renderHtml(report));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return { html: htmlPath, json };
}
