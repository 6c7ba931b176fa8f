/** Bounded waiting: every start-up step, drain hook and live check runs under its own deadline. */

export type Bounded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly timedOut: true }
  | { readonly ok: false; readonly timedOut: false; readonly error: unknown };

/**
 * Runs `work` with an abort signal and settles after at most `ms`, even when `work` never does; a late
 * rejection of abandoned work is swallowed so that it cannot crash the process.
 */
export function withTimeout<T>(work: (signal: AbortSignal) => Promise<T> | T, ms: number): Promise<Bounded<T>> {
  const controller = new AbortController();
  return new Promise<Bounded<T>>((resolve) => {
    const timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, timedOut: true });
    }, ms);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(work(controller.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, timedOut: false, error });
      },
    );
  });
}
