// Takes the screenshot of the backtest report that docs/runtime.md shows: the example desk's argo backtest
// on the S&P 500 sample, in a temporary copy of the workspace, opened in headless Chromium (no network),
// clipped from the top of the page to the end of the monthly returns table.
//   node scripts/report-screenshot.mjs [out.png]   (default docs/runtime-report.png; needs `npm run build`)
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = process.argv[2] ?? join(root, "docs", "runtime-report.png");
const ws = mkdtempSync(join(tmpdir(), "tradeops-shot-"));
const profile = mkdtempSync(join(tmpdir(), "tradeops-shot-chromium-"));
try {
  cpSync(join(root, "examples", "desk"), ws, {
    recursive: true,
    filter: (src) => !src.includes(`${join(root, "examples", "desk")}/.tradeops`),
  });
  const run = spawnSync(
    process.execPath,
    [join(root, "bin", "tradeops.js"), "--workspace", ws, "--env", "development", "--json", "backtest", "argo"],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`backtest failed: ${run.stderr}`);
  const report = JSON.parse(run.stdout);
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${report.files.html}`);
    await page.waitForSelector("#price-chart[data-points]");
    const end = await page.locator("#returns").boundingBox();
    await page.screenshot({
      path: out,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil(end.y + end.height + 16) },
    });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(ws, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
