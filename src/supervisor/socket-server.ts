/**
 * The background supervisor's local socket. Access control is the file system: the socket is 0600 inside a
 * 0700 directory, so only its owner (and root) can connect.
 */
import { chmodSync, mkdirSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { type SupervisorRequest, type SupervisorResponse, toWire } from "./protocol.js";
import type { Supervisor } from "./supervisor.js";

const MAX_REQUEST_BYTES = 1024 * 1024;

export interface SupervisorServer {
  close(): Promise<void>;
}

/** Listens on the supervisor's socket; `onShutdown` is called after a `shutdown` request was answered. */
export async function serveSupervisor(
  supervisor: Supervisor,
  onShutdown: (stopServices: boolean) => void,
): Promise<SupervisorServer> {
  const path = supervisor.layout.socket;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    unlinkSync(path); // left by a supervisor that died; we hold the lock, so it is no one's
  } catch {
    // none
  }
  const server: Server = createServer((socket) => handle(socket, supervisor, onShutdown));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }),
  };
}

function handle(socket: Socket, supervisor: Supervisor, onShutdown: (stopServices: boolean) => void): void {
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_REQUEST_BYTES) return socket.destroy();
    const end = buffer.indexOf("\n");
    if (end < 0) return;
    socket.removeAllListeners("data");
    let request: SupervisorRequest;
    try {
      request = JSON.parse(buffer.slice(0, end)) as SupervisorRequest;
    } catch {
      return reply(socket, { ok: false, error: { code: "TRO_ERR_USAGE", message: "The request is not JSON." } });
    }
    dispatch(supervisor, request).then(
      (result) => {
        reply(socket, { ok: true, result }, supervisor);
        if (request.op === "shutdown") onShutdown(request.stopServices);
      },
      (error) => reply(socket, { ok: false, error: toWire(error) }, supervisor),
    );
  });
}

/** Responses carry no secret values by construction; the scrubber is the last line of defence. */
function reply(socket: Socket, response: SupervisorResponse, supervisor?: Supervisor): void {
  const text = JSON.stringify(response);
  if (!socket.destroyed) socket.end(`${supervisor ? supervisor.scrubber.scrub(text) : text}\n`);
}

async function dispatch(supervisor: Supervisor, request: SupervisorRequest): Promise<unknown> {
  switch (request.op) {
    case "ping":
      return supervisor.info();
    case "start":
      return supervisor.start(request.request, request.env);
    case "stop":
      return supervisor.stop(request.target, request.graceMs);
    case "restart":
      return supervisor.restart(request.target, request.env, request.graceMs);
    case "status":
      return supervisor.status(request.project);
    case "wait":
      return supervisor.waitRunning(request.name, request.timeoutMs);
    case "shutdown":
      return { stopping: true };
    default:
      throw new Error(`unknown request ${(request as { op?: string }).op}`);
  }
}
