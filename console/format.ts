/** Numbers, money, times and durations as an operator reads them. */

export const money = (n: number) =>
  n.toLocaleString("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });

export const pct = (n: number) => `${(n * 100).toFixed(2)}%`;

export function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export const shortTime = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");

export function summarize(payload: unknown): string {
  if (!payload || typeof payload !== "object") return String(payload ?? "");
  const p = payload as Record<string, unknown>;
  const keys = ["event", "side", "symbol", "qty", "price", "rule", "reason", "to", "source"];
  return keys
    .filter((k) => p[k] !== undefined && p[k] !== "")
    .map((k) => `${k}=${typeof p[k] === "number" ? Number(p[k].toFixed(4)) : String(p[k])}`)
    .join(" ");
}
