"""signal-lab: a Python signal service. tradeops runs it with its config and secrets as environment
variables (`tradeops run signal-lab -- python3 main.py`): SIGLAB_FEED__SYMBOLS, SIGLAB_SIGNALS__LOOKBACK, …,
and MARKET_DATA_TOKEN. It never reads a config file itself, so the code is identical in every environment."""
import json
import os
import signal
import sys
import time


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


def main():
    cfg = config()
    env = os.environ.get("TRADEOPS_ENVIRONMENT", "unknown")
    has_token = bool(os.environ.get("MARKET_DATA_TOKEN"))
    print(json.dumps({"event": "start", "environment": env, "symbols": cfg.get("feed", {}).get("symbols"),
                      "token_present": has_token}), flush=True)
    stop = {"now": False}

    def on_term(signum, _frame):
        print(json.dumps({"event": "stop", "signal": signum}), flush=True)
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    if "--once" in sys.argv:
        return 0
    while not stop["now"]:
        time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
