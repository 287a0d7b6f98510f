"""A stand-in for the app behind `circles serve`, speaking textual-serve's protocol on stdin and
stdout: it says its pid and store setting, echoes keys, and quits when asked, unless it is
'stubborn' (ignores the quit message and SIGTERM); 'family' also starts a child that sleeps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "polite"
out = sys.stdout.buffer
stdin = sys.stdin.buffer


def packet(kind: bytes, payload: bytes) -> None:
    out.write(kind + len(payload).to_bytes(4, "big") + payload)
    out.flush()


if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = ""
if mode == "family":
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    child = f" child={sleeper.pid}"
out.write(b"__GANGLION__\n")
packet(
    b"D",
    f"fake app pid={os.getpid()}{child} store={os.environ.get('CIRCLES_DATABASE_URL', '')}"
    f" zone={os.environ.get('TZ', '')}\r\n".encode(),
)
while True:
    kind = stdin.read(1)
    if not kind:
        break
    size = int.from_bytes(stdin.read(4), "big")
    payload = stdin.read(size)
    if kind == b"D":
        packet(b"D", b"key:" + payload + b"\r\n")
    elif kind == b"M" and json.loads(payload).get("type") == "quit" and mode != "stubborn":
        packet(b"M", json.dumps({"type": "exit"}).encode())
        break
if mode == "stubborn":
    while True:
        time.sleep(1)
