"""signal-lab: a Python signal service. tradeops runs it with its config and secrets as environment
variables (`tradeops run signal-lab -- python3 main.py`): SIGLAB_FEED__SYMBOLS, SIGLAB_SIGNALS__LOOKBACK, …,
and MARKET_DATA_TOKEN. It never reads a config file itself, so the code is identical in every environment.
With PORT set (the supervisor sets it) it answers GET /health like every tradeops service."""
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STARTED = time.time()


def config():
    prefix = "SIGLAB_"
    out = {}
    for name, value in os.environ.items():
        if not name.startswith(prefix):
            continue
        node = out
        parts = name[len(prefix):].lower().split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        try:
            node[parts[-1]] = json.loads(value)
        except ValueError:
            node[parts[-1]] = value
    return out


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in ("/health", "/livez", "/readyz"):
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps({
            "status": "healthy",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "service": "signal-lab",
            "execution_mode": os.environ.get("TRADEOPS_EXECUTION_MODE", "paper"),
            "uptime_seconds": round(time.time() - STARTED, 3),
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("cache-control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


def main():
    cfg = config()
    env = os.environ.get("TRADEOPS_ENVIRONMENT", "unknown")
    has_token = bool(os.environ.get("MARKET_DATA_TOKEN"))
    print(json.dumps({"event": "start", "environment": env, "symbols": cfg.get("feed", {}).get("symbols"),
                      "token_present": has_token}), flush=True)
    if "--once" in sys.argv:
        return 0
    stop = threading.Event()

    def on_term(signum, _frame):
        print(json.dumps({"event": "stop", "signal": signum}), flush=True)
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    server = None
    if os.environ.get("PORT"):
        server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Health)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    while not stop.wait(0.05):
        pass
    if server:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
