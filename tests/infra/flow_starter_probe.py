"""What a forked run executes in tests/infra/test_flow_starter.py instead of Prefect's
engine: reports what it inherited, then does what its environment asks."""

import json
import os
import signal
import subprocess
import sys
import time

from prefect.settings import get_current_settings

if os.environ.get("PROBE_TERM"):
    def _terminated(signum, frame):
        print("terminated", flush=True)
        sys.exit(7)

    signal.signal(signal.SIGTERM, _terminated)

grandchild = None
if os.environ.get("PROBE_GRANDCHILD"):
    grandchild = subprocess.Popen(["sleep", "300"])
print(json.dumps({
    "cwd": os.getcwd(), "argv": sys.argv[1:], "pid": os.getpid(),
    "marker": os.environ.get("PROBE_MARKER"), "starter_only": os.environ.get("STARTER_ONLY"),
    "api_url": get_current_settings().api.url,
    "grandchild": grandchild.pid if grandchild else None,
}), flush=True)
print("to stderr", file=sys.stderr, flush=True)
time.sleep(float(os.environ.get("PROBE_SLEEP", "0")))
sys.exit(int(os.environ.get("PROBE_CODE", "0")))
