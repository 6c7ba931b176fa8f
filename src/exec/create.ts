/** One executor per host as the manifest names it: `local`, or `user@host[:port]` reached over SSH. */
import type { Executor } from "./command.js";
import { createLocalExecutor } from "./local.js";
import { createSshExecutor } from "./ssh.js";

export interface ExecutorFactoryOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `local` runs here; anything else is an SSH destination. `TRADEOPS_SSH_CONFIG` names an `ssh -F` config file. */
export function createExecutor(host: string, options: ExecutorFactoryOptions = {}): Executor {
  const env = options.env ?? process.env;
  if (host === "local") return createLocalExecutor({ baseEnv: env });
  return createSshExecutor({ host, configFile: env.TRADEOPS_SSH_CONFIG || undefined, baseEnv: env });
}

/** Executors opened on first use, one per host, and closed together when the work ends. */
export interface ExecutorPool {
  executorFor(host: string): Executor;
  /** closes every executor opened; a close that fails is ignored (the work already ended) */
  close(): Promise<void>;
}

export function executorPool(options: ExecutorFactoryOptions = {}): ExecutorPool {
  const executors = new Map<string, Executor>();
  return {
    executorFor(host) {
      let executor = executors.get(host);
      if (!executor) {
        executor = createExecutor(host, options);
        executors.set(host, executor);
      }
      return executor;
    },
    async close() {
      for (const executor of executors.values()) await executor.close().catch(() => undefined);
      executors.clear();
    },
  };
}
