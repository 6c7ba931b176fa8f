"""Level 3 for signal-lab (`health.deepCommand`): the service on PORT answers healthy within 3 s.
Exit 0 passes; tradeops records only the exit code, never the output."""
import json
import os
import sys
import urllib.request


def main():
    port = os.environ.get("PORT", "8100")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=3) as res:
            return 0 if json.load(res).get("status") == "healthy" else 1
    except OSError:
        return 3


if __name__ == "__main__":
    sys.exit(main())
