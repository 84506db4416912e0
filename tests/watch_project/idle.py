"""Do nothing, healthily."""

import pathlib
import time

pathlib.Path("/tmp/alive").touch()
while True:
    time.sleep(3600)
