/** Callers waiting for an instance's next state change, each with its own deadline. */
import type { Clock } from "./clock.js";

export class Waiters {
  readonly #waiting = new Set<() => void>();

  /** Resolves at the next `wake()`, or after `timeoutMs`, whichever comes first. */
  next(clock: Clock, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        this.#waiting.delete(done);
        resolve();
      };
      const cancel = clock.setTimer(done, timeoutMs);
      this.#waiting.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.#waiting]) done();
  }
}
