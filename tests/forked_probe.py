"""A worker for tests/test_forked.py: `python -m tests.forked_probe FOLDER N NAME` leaves a
file named NAME in FOLDER, waits until FOLDER holds N files, then says how many it saw."""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __name__ == "__main__":
    folder, wanted, name = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    folder.mkdir(exist_ok=True)
    (folder / name).touch()
    if name == "sleeper":
        print("waiting", flush=True)
    while len(list(folder.iterdir())) < wanted:
        time.sleep(0.05)
    print(f"worker {name} saw {len(list(folder.iterdir()))}")
