/**
 * Gate 11: after the switch, health at the policy's level, 100% passing, through the monitoring window — probed
 * through the public port, so the proxy and the release are judged together. One failed probe fails the gate.
 */
import type { HealthLevel } from "../health/probe.js";
import type { DeployClock } from "./clock.js";
import { MONITOR_INTERVAL_MS } from "./constants.js";
import { describeProbe, isFullyHealthy } from "./gates/context.js";
import { abortReason } from "./lock-hold.js";
import type { TargetSession } from "./session.js";

export interface MonitorVerdict {
  readonly ok: boolean;
  readonly reason: string;
  readonly probes: number;
}

/** Watches every session's public port for `seconds` (at least one probe each). */
export async function monitorWindow(
  sessions: readonly TargetSession[],
  level: HealthLevel,
  seconds: number,
  clock: DeployClock,
  signal?: AbortSignal,
): Promise<MonitorVerdict> {
  const started = clock.now();
  const deadline = started + seconds * 1000;
  let probes = 0;
  for (;;) {
    for (const session of sessions) {
      if (signal?.aborted) return { ok: false, probes, reason: `${abortReason(signal)} during the monitoring window` };
      const result = await session.probePublic(level);
      probes++;
      if (!isFullyHealthy(result)) {
        const after = ((clock.now() - started) / 1000).toFixed(1);
        return {
          ok: false,
          probes,
          reason: `level ${level} health failed ${after} s after the switch on ${session.host}: ${describeProbe(result).join("; ")}`,
        };
      }
    }
    const left = deadline - clock.now();
    if (left <= 0) break;
    await clock.sleep(Math.min(MONITOR_INTERVAL_MS, left), signal);
  }
  return {
    ok: true,
    probes,
    reason: `${probes} probe${probes === 1 ? "" : "s"} at level ${level}, 100% passing through ${seconds} s`,
  };
}
