/** What a deploy reports while it works; the CLI turns it into a live task list or plain lines. */
import type { DeployClock } from "./clock.js";
import type { GateEvent } from "./gates/run.js";

export type StepStatus = "pass" | "fail" | "skip";

export type DeployEvent =
  | GateEvent
  | { readonly type: "step-start"; readonly project: string; readonly host: string; readonly step: string }
  | {
      readonly type: "step-end";
      readonly project: string;
      readonly host: string;
      readonly step: string;
      readonly status: StepStatus;
      readonly durationMs: number;
      readonly detail?: string;
    }
  | { readonly type: "note"; readonly level: "info" | "warn"; readonly message: string };

export type EventSink = (event: DeployEvent) => void;

/** Runs one step, reporting its start and end (and its failure, with the error's message, before rethrowing). */
export async function step<T>(
  emit: EventSink | undefined,
  where: { readonly project: string; readonly host: string },
  name: string,
  run: () => Promise<T>,
  describe: ((value: T) => string | undefined) | undefined,
  clock: DeployClock,
): Promise<T> {
  const started = clock.now();
  emit?.({ type: "step-start", ...where, step: name });
  try {
    const value = await run();
    emit?.({
      type: "step-end",
      ...where,
      step: name,
      status: "pass",
      durationMs: clock.now() - started,
      detail: describe?.(value),
    });
    return value;
  } catch (error) {
    const detail = String((error as Error)?.message ?? error).split("\n")[0];
    emit?.({ type: "step-end", ...where, step: name, status: "fail", durationMs: clock.now() - started, detail });
    throw error;
  }
}
