/**
 * Local stand-ins for the notification endpoints, on 127.0.0.1 and free ports: one HTTP server answering as a
 * webhook, a Slack incoming webhook and the Telegram Bot API (`/bot<token>/sendMessage`), with a path that
 * fails twice before it works and one that always fails; and a real SMTP server (smtp-server) with a password.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Received {
  readonly path: string;
  readonly body: string;
}

export async function startHttpEndpoints() {
  const received: Received[] = [];
  let flaky = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, body });
      if (path.startsWith("/dead")) return res.writeHead(500).end("{}");
      if (path.startsWith("/flaky") && ++flaky <= 2) return res.writeHead(503).end("{}");
      if (path.includes("/sendMessage"))
        return res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function startSmtp(user: string, password: string) {
  const messages: string[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error("invalid credentials"));
    },
    onData(stream, _session, callback) {
      let data = "";
      stream.on("data", (c) => (data += c));
      stream.on("end", () => {
        messages.push(data);
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
