"""A pytest plugin for fault tests: run one shell command in the middle of a readiness run.

``-p tests.faults.inject`` with ``RDYFAULT_INJECT_AT`` (a substring of a check's node id) and
``RDYFAULT_INJECT_CMD``: the command runs once, just before the first matching check's setup,
so the facts gathered earlier were taken on the healthy stack and the rest meet the fault.
"""

from __future__ import annotations

import os
import subprocess

import pytest

_done: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    at = os.environ.get("RDYFAULT_INJECT_AT", "")
    command = os.environ.get("RDYFAULT_INJECT_CMD", "")
    if _done or not at or not command or at not in item.nodeid:
        return
    _done.append(item.nodeid)
    subprocess.run(command, shell=True, check=True, timeout=120)
