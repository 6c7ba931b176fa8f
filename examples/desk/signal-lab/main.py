"""signal-lab: a Python signal service. tradeops runs it with its config and secrets as environment
variables (`tradeops run signal-lab -- python3 main.py`): SIGLAB_FEED__SYMBOLS, SIGLAB_SIGNALS__LOOKBACK, …,
and MARKET_DATA_TOKEN. It never reads a config file itself, so the code is identical in every environment.
With PORT set (the supervisor sets it) it answers GET /health like every tradeops service.

Its signals go to the environment's hash-chained signal log as NDJSON: to the supervisor's local endpoint
(TRADEOPS_SIGNALS_URL with TRADEOPS_SIGNALS_TOKEN) when supervised, else through `tradeops signals append`."""
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STARTED = time.time()
# one JSON event per line on stdout: the supervisor keeps it in the service's log (`tradeops logs signal-lab`)
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
log = logging.getLogger("signal-lab")


def event(**fields):
    log.info(json.dumps(fields))


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


def compute_signals(cfg, now):
    """A z-score stand-in: one record per symbol, buy/sell past the entry threshold, hold otherwise."""
    sig = cfg.get("signals", {})
    entry = float(sig.get("zscore_entry", 2.0))
    out = []
    for i, symbol in enumerate(cfg.get("feed", {}).get("symbols") or []):
        z = round(2.5 * math.sin(now / 60.0 + i), 4)
        side = "buy" if z <= -entry else "sell" if z >= entry else "hold"
        out.append({"kind": "signal", "strategy": "zscore",
                    "release": os.environ.get("TRADEOPS_RELEASE", ""),
                    "configHash": os.environ.get("TRADEOPS_CONFIG_HASH", ""),
                    "payload": {"symbol": symbol, "zscore": z, "side": side,
                                "lookback": sig.get("lookback")}})
    return out


def record(records):
    """Appends records to this project's chain; returns the store's answer (appended, lastSeq, head)."""
    if not records:
        return None
    body = "".join(json.dumps(r) + "\n" for r in records).encode()
    url, token = os.environ.get("TRADEOPS_SIGNALS_URL"), os.environ.get("TRADEOPS_SIGNALS_TOKEN")
    if url and token:
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "authorization": "Bearer " + token, "content-type": "application/x-ndjson"})
        with urllib.request.urlopen(req, timeout=10) as res:
            return json.loads(res.read())
    workspace = os.environ.get("TRADEOPS_WORKSPACE")
    if shutil.which("tradeops") and workspace:
        done = subprocess.run(["tradeops", "--workspace", workspace, "--json", "signals", "append",
                               os.environ.get("TRADEOPS_PROJECT", "signal-lab")],
                              input=body, capture_output=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode().strip().splitlines()[0] if done.stderr else "append failed")
        return json.loads(done.stdout)
    raise RuntimeError("no signal endpoint and no tradeops on PATH")


def emit(cfg):
    try:
        result = record(compute_signals(cfg, time.time()))
        if result:
            event(event="signals", appended=result.get("appended"), lastSeq=result.get("lastSeq"))
    except Exception as error:  # the service keeps running; the log says why nothing was recorded
        event(event="signals-not-recorded", reason=str(error))


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
    event(event="start", environment=env, symbols=cfg.get("feed", {}).get("symbols"), token_present=has_token)
    if "--once" in sys.argv:
        emit(cfg)
        return 0
    stop = threading.Event()

    def on_term(signum, _frame):
        event(event="stop", signal=signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    server = None
    if os.environ.get("PORT"):
        server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Health)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    poll = float(cfg.get("feed", {}).get("poll_seconds") or 5)
    next_emit = time.time()
    while not stop.wait(0.05):
        if time.time() >= next_emit:
            emit(cfg)
            next_emit = time.time() + poll
    if server:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
