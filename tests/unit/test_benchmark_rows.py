"""The benchmark's pytest rows: as many empty tests as the suite ran, with HTML and JUnit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from runbook.benchmark import REPO, counted_tests, empty_tests_command


def test_the_count_is_every_test_the_summary_line_names() -> None:
    assert counted_tests("92 passed, 7 skipped in 0.81s") == 99
    assert counted_tests("1 failed, 998 passed, 1 xfailed in 2.40s") == 1000
    assert counted_tests("2 errors, 3 passed in 0.50s") == 5
    assert counted_tests("no tests ran in 0.13s") == 0


def test_empty_tests_write_html_and_junit_without_allure(tmp_path: Path) -> None:
    command = empty_tests_command(3, tmp_path)
    proc = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout
    folder = tmp_path / "empty-3"
    assert (folder / "junit.xml").is_file()
    assert (folder / "report.html").is_file()
    assert not list(folder.rglob("*-result.json"))  # allure-pytest's listener stays out
    assert "VERDICT" not in proc.stdout  # the readiness plugin stays out


def test_the_libraries_row_imports_them_before_the_empty_tests(tmp_path: Path) -> None:
    command = empty_tests_command(3, tmp_path, ("json", "docker"))
    proc = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a failed import would stop it
    assert "3 passed" in proc.stdout
    conftest = tmp_path / "empty-3-libraries" / "conftest.py"
    assert conftest.read_text() == "import json\nimport docker\n"
    assert not (tmp_path / "empty-3").exists()  # the plain row's folder stays without it
