/**
 * A bounded HTTP load loop against 127.0.0.1: a few keep-alive clients asking one path over and over until stopped
 * (or until their request or time budget runs out), counting answers and failures (network errors and 5xx).
 */
import { Agent, request } from "node:http";

export interface LoadReport {
  readonly ok: number;
  readonly failed: number;
  /** how often each body was seen (e.g. each version) */
  readonly bodies: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
}

export interface Load {
  /** resolves once at least `n` more requests were answered */
  answered(n: number): Promise<void>;
  stop(): Promise<LoadReport>;
}

export function startLoad(
  port: number,
  path = "/version",
  options: { clients?: number; maxRequests?: number; maxSeconds?: number } = {},
): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients ?? 8 });
  const deadline = Date.now() + (options.maxSeconds ?? 120) * 1000;
  const max = options.maxRequests ?? 500_000;
  let ok = 0;
  let failed = 0;
  let stopped = false;
  const bodies: Record<string, number> = {};
  const errors: string[] = [];
  const waiters: { at: number; resolve: () => void }[] = [];
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          if ((res.statusCode ?? 500) >= 500) {
            failed++;
            if (errors.length < 20) errors.push(`HTTP ${res.statusCode} ${body}`);
          } else {
            ok++;
            bodies[body] = (bodies[body] ?? 0) + 1;
          }
          resolve();
        });
      });
      req.on("error", (e) => {
        failed++;
        if (errors.length < 20) errors.push(String((e as NodeJS.ErrnoException).code ?? e.message));
        resolve();
      });
      req.end();
    });
  const loop = async () => {
    while (!stopped && ok + failed < max && Date.now() < deadline) {
      await once();
      for (const w of waiters.filter((w) => ok >= w.at)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const loops = Array.from({ length: options.clients ?? 8 }, loop);
  return {
    answered: (n) => new Promise((resolve) => waiters.push({ at: ok + n, resolve })),
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
      return { ok, failed, bodies, errors };
    },
  };
}
