"""Allocate memory steadily up to TARGET_MIB (touching every page), then hold it."""

import os
import pathlib
import time

TARGET = int(os.environ.get("TARGET_MIB", "50")) * 1024 * 1024
STEP = int(os.environ.get("STEP_MIB", "4")) * 1024 * 1024
EVERY = float(os.environ.get("STEP_SECONDS", "1"))
held: list[bytes] = []
pathlib.Path("/tmp/alive").touch()
while True:
    if sum(len(b) for b in held) < TARGET:
        held.append(b"\x01" * STEP)
    time.sleep(EVERY)
