/** Writes a copy of a backtest report where asked (`--report FILE`): the HTML page and the JSON next to it. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { BacktestReport } from "./build.js";
import { renderHtml } from "./html.js";

/** Returns the paths written: `{ html, json }`. */
export function writeReport(report: BacktestReport, htmlPath: string): { html: string; json: string } {
  const json = htmlPath.replace(/\.html?$/i, "") + ".json";
  mkdirSync(dirname(htmlPath), { recursive: true });
  writeFileSync(htmlPath, renderHtml(report));
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return { html: htmlPath, json };
}
