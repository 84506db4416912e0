"""The bad-input corpus: every wrong value is exit 4 and one line naming its source, never a crash.

Each case is run the way a user would (a subprocess of the suite or a runbook CLI). None needs the
live stack: bad input is refused before any check runs or anything is touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness import MANIFEST, ROOT, STACK, copy_stack, run_suite

NAME_RULE = (
    "expected a compose project name (lowercase letters, digits, '-', '_', starting with a "
    "letter or digit), got "
)
NOTHING = "expected a file, got nothing there"
NOWHERE = "/nowhere/at/all: expected a directory, got nothing there"


@dataclass(frozen=True)
class Outcome:
    """Exit code and output of one refused run."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams."""
        return self.stdout + self.stderr


def suite(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Outcome:
    """``pytest checks -m preflight <args>`` (the options under test come last, they win)."""
    command = [sys.executable, "-m", "pytest", "checks", "-m", "preflight", "-p", "no:randomly"]
    command += [f"--reports-dir={tmp_path / 'reports'}", *args]
    return _run(command, env)


def runbook(module: str, *args: str, env: dict[str, str] | None = None) -> Outcome:
    """``python -m runbook.<module> <args>``."""
    return _run([sys.executable, "-m", f"runbook.{module}", *args], env)


def _run(command: list[str], env: dict[str, str] | None) -> Outcome:
    proc = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def assert_suite_refused(run: Outcome, line: str) -> None:
    """Exit 4, exactly one ``ERROR:`` line (equal to ``line``), no traceback."""
    __tracebackhide__ = True
    errors = [ln for ln in run.output.splitlines() if ln.startswith("ERROR: ")]
    assert run.code == 4, run.output[-2000:]
    assert errors == [f"ERROR: {line}"], run.output[-2000:]
    assert "Traceback" not in run.output
    assert "INTERNALERROR" not in run.output


def assert_runbook_refused(run: Outcome, module: str, line: str) -> None:
    """Exit 4, stderr is exactly the one ``[module] bad input:`` line, no traceback."""
    __tracebackhide__ = True
    assert run.code == 4, run.output[-2000:]
    assert run.stderr.strip().splitlines() == [f"[{module}] bad input: {line}"], run.output
    assert "Traceback" not in run.output


@pytest.fixture(scope="module")
def readonly_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A read-only filesystem (a 1 MB tmpfs mounted ro): root cannot write there either."""
    mount = tmp_path_factory.mktemp("rdyfault-ro")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "rdyfault-ro", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"cannot mount a read-only tmpfs (tests run as root): {proc.stderr}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False, capture_output=True)


def manifest_with(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    """A copy of the reference manifest (project dir absolute) with ``edit`` applied."""
    text = MANIFEST.read_text().replace("project_dir: stack", f"project_dir: {STACK}")
    path = tmp_path / "readiness.yml"
    path.write_text(edit(text))
    return path


def env_file(tmp_path: Path, extra: str) -> Path:
    """A copy of the reference .env with ``extra`` appended."""
    path = tmp_path / "test.env"
    path.write_text((STACK / ".env").read_text() + extra)
    return path


# --- the suite (pytest entry point) ----------------------------------------------------------


def test_reports_dir_naming_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    run = suite(tmp_path, f"--reports-dir={afile}")
    assert_suite_refused(run, f"--reports-dir: {afile}: expected a directory, got a file")


def test_reports_dir_on_a_read_only_filesystem(tmp_path: Path, readonly_dir: Path) -> None:
    run = suite(tmp_path, f"--reports-dir={readonly_dir}")
    assert_suite_refused(
        run, f"--reports-dir: {readonly_dir}: cannot write there (Read-only file system)"
    )
    below = readonly_dir / "reports"
    run = _run(  # no --reports-dir option: the variable is the source
        [sys.executable, "-m", "pytest", "checks", "-m", "preflight", "-p", "no:randomly"],
        {"READINESS_REPORTS_DIR": str(below)},
    )
    assert_suite_refused(
        run, f"READINESS_REPORTS_DIR: {below}: cannot create (Read-only file system)"
    )


def test_results_file_naming_a_directory(tmp_path: Path) -> None:
    run = suite(tmp_path, f"--results-file={tmp_path}")
    assert_suite_refused(run, f"--results-file: {tmp_path}: expected a file name, got a directory")


def test_results_file_that_cannot_be_written_at_the_end_keeps_the_verdict(tmp_path: Path) -> None:
    """A results file whose directory goes away during the run: the verdict still prints."""
    results = tmp_path / "gone" / "results.json"
    results.parent.mkdir()
    # CFG-01 is fast; the directory is replaced by a file before the session ends
    hook = tmp_path / "conftest_hook.py"
    hook.write_text(
        "import shutil, pathlib\n"
        "def pytest_runtestloop(session):\n"
        f"    d = pathlib.Path({str(results.parent)!r})\n"
        "    shutil.rmtree(d); d.write_text('now a file')\n"
    )
    run = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "checks",
            "-m",
            "preflight",
            "-p",
            "no:randomly",
            "-p",
            "conftest_hook",
            "-k",
            "test_compose_files_render",
            f"--reports-dir={tmp_path / 'reports'}",
            f"--results-file={results}",
        ],
        {"PYTHONPATH": str(tmp_path)},
    )
    assert "VERDICT: " in run.output, run.output[-2000:]
    assert f"Not written: results file {results}: File exists" in run.output
    assert "Traceback" not in run.output
    assert "INTERNALERROR" not in run.output
    assert run.code in (0, 1)


WAIT = "READINESS_WAIT_TIMEOUT"
ENGINE_FORM = "expected an engine address like unix:///var/run/docker.sock or tcp://127.0.0.1:2375"
PORT_RULE = "expected a port number 1-65535, got"
BAD_OPTIONS = [
    (["--wait-timeout=-5"], {}, "--wait-timeout: expected seconds > 0, got '-5'"),
    ([], {WAIT: "-5"}, f"{WAIT}: expected seconds > 0, got '-5'"),
    ([], {WAIT: "soon"}, f"{WAIT}: expected seconds as a number, got 'soon'"),
    (["--wait-timeout=nan"], {}, "--wait-timeout: expected seconds > 0, got 'nan'"),
    (["--https-port=notaport"], {}, f"--https-port: {PORT_RULE} 'notaport'"),
    (["--http-port=70000"], {}, f"--http-port: {PORT_RULE} '70000'"),
    ([], {"READINESS_HTTPS_PORT": "0"}, f"READINESS_HTTPS_PORT: {PORT_RULE} '0'"),
    (["--project-dir=/nowhere/at/all"], {}, f"--project-dir: {NOWHERE}"),
    ([], {"READINESS_PROJECT_DIR": "/nowhere/at/all"}, f"READINESS_PROJECT_DIR: {NOWHERE}"),
    (["--env-file=/nowhere.env"], {}, f"--env-file: /nowhere.env: {NOTHING}"),
    ([], {"READINESS_ENV_FILE": "/nowhere.env"}, f"READINESS_ENV_FILE: /nowhere.env: {NOTHING}"),
    (["--docker-host=docker.sock"], {}, f"--docker-host: {ENGINE_FORM}, got 'docker.sock'"),
    (
        [],
        {"DOCKER_HOST": "tcp://127.0.0.1:99999"},
        "DOCKER_HOST: Port out of range 0-65535 (got 'tcp://127.0.0.1:99999')",
    ),
    (["--project-name=Bad.Name"], {}, f"--project-name: {NAME_RULE}'Bad.Name'"),
    ([], {"COMPOSE_PROJECT_NAME": "-dash"}, f"COMPOSE_PROJECT_NAME: {NAME_RULE}'-dash'"),
    (["--compose-file=nope.yml"], {}, f"--compose-file: {STACK / 'nope.yml'}: {NOTHING}"),
    (
        ["--compare-with=/nowhere/signoff.json"],
        {},
        f"--compare-with: /nowhere/signoff.json: {NOTHING}",
    ),
]


@pytest.mark.parametrize(("args", "env", "line"), BAD_OPTIONS, ids=[c[2][:40] for c in BAD_OPTIONS])
def test_bad_option_or_variable_is_named(
    tmp_path: Path, args: list[str], env: dict[str, str], line: str
) -> None:
    assert_suite_refused(suite(tmp_path, *args, env=env), line)


def test_compare_with_that_is_not_a_signoff(tmp_path: Path) -> None:
    bad = tmp_path / "signoff.json"
    bad.write_text("[1, 2]")
    run = suite(tmp_path, f"--compare-with={bad}")
    assert_suite_refused(run, f"--compare-with: {bad}: expected a signoff.json, got no JSON object")


@pytest.mark.parametrize("place", ["outside", "inside"])
def test_space_separated_manifest_gets_a_one_line_hint(tmp_path: Path, place: str) -> None:
    """`pytest -m preflight --manifest x.yml`: the hint, wherever x.yml is (no `checks` path)."""
    manifest = manifest_with(tmp_path, lambda text: text)
    value = str(manifest) if place == "outside" else "readiness.yml"
    run = _run([sys.executable, "-m", "pytest", "-m", "preflight", "--manifest", value], None)
    assert_suite_refused(
        run,
        f"--manifest {value}: write --manifest={value} (pytest reads a separate value as a "
        "test path before the readiness options are known)",
    )
    assert "usage:" not in run.output


BAD_MANIFESTS: dict[str, tuple[Callable[[str], str], str]] = {
    "approvers-int": (
        lambda t: t + "signoff:\n  approvers: 5\n",
        "signoff.approvers: expected a list, got int 5",
    ),
    "project-dir-nowhere": (
        lambda t: t.replace(f"project_dir: {STACK}", "project_dir: /nowhere/at/all"),
        f"target.project_dir: {NOWHERE}",
    ),
    "waiver-unknown-check": (
        lambda t: t.replace("check: DEP-01", "check: DEP-99"),
        "waivers[0].check: unknown check ID 'DEP-99'",
    ),
    "waiver-date-words": (
        lambda t: t.replace("expires: 2027-03-31", "expires: next spring"),
        "waivers[0].expires: expected a date (YYYY-MM-DD), got str 'next spring'",
    ),
    "waiver-no-owner": (
        lambda t: t.replace("    owner: frontend-team\n", ""),
        "waivers[0].owner: is required",
    ),
    "memory-words": (
        lambda t: t.replace("memory: 4G}", "memory: lots}", 1),
        "limits.hypercode-core.memory: expected a size like 4G or 768M, got 'lots'",
    ),
    "empty": (lambda t: "", "expected a mapping at the top level"),
}


@pytest.mark.parametrize(("edit", "key_and_problem"), BAD_MANIFESTS.values(), ids=BAD_MANIFESTS)
def test_bad_manifest_value_names_file_and_key(
    tmp_path: Path, edit: Callable[[str], str], key_and_problem: str
) -> None:
    manifest = manifest_with(tmp_path, edit)
    run = suite(tmp_path, f"--manifest={manifest}")
    assert_suite_refused(run, f"{manifest}: {key_and_problem}")


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("API_KEY=again\n", "API_KEY given twice (first on line {first}); keep one"),
        ("1ST_KEY=x\n", "1ST_KEY: a name must not start with a digit"),
        ('QUOTED="no end\n', 'QUOTED: unterminated " quote (one line each)'),
        ("MY-KEY=x\n", "expected KEY=VALUE"),
        ("=value\n", "expected KEY=VALUE"),
    ],
    ids=["duplicate", "digit-first", "unterminated-quote", "dash-in-name", "no-name"],
)
def test_bad_env_line_names_file_and_line(tmp_path: Path, extra: str, problem: str) -> None:
    path = env_file(tmp_path, extra)
    lines = path.read_text().splitlines()
    number = len(lines)
    first = next(
        (i for i, ln in enumerate(lines, 1) if ln.startswith(extra.split("=")[0] + "=")), 0
    )
    run = suite(tmp_path, f"--env-file={path}")
    assert_suite_refused(run, f"{path}: line {number}: {problem.format(first=first)}")


def test_env_file_not_utf8_or_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "latin1.env"
    path.write_bytes("API_KEY=caf\xe9\n".encode("latin-1"))
    assert_suite_refused(suite(tmp_path, f"--env-file={path}"), f"{path}: not UTF-8 text")
    run = suite(tmp_path, f"--env-file={tmp_path}")
    assert_suite_refused(run, f"--env-file: {tmp_path}: expected a file, got a directory")


def test_compose_yaml_error_names_the_file(tmp_path: Path) -> None:
    """Compose's own `yaml: line 2: ...` names no file; CFG-01's message does."""
    stack = copy_stack(tmp_path, git=False)
    agents = stack / "docker-compose.agents.yml"
    agents.write_text("services:\n\tbroken: [\n")
    run = run_suite(
        tmp_path,
        "-m",
        "preflight",
        "-k",
        "test_compose_files_render",
        f"--project-dir={stack}",
    )
    assert run.verdict == "NOT READY", run.output[-2000:]
    message = run.message("CFG-01")
    assert f"{agents}: yaml: line 2" in message, message
    assert "Traceback" not in run.output


# --- the runbook CLIs ---------------------------------------------------------------------


def test_backup_dir_on_a_read_only_filesystem(readonly_dir: Path) -> None:
    run = runbook("backup", f"--backup-dir={readonly_dir}")
    assert_runbook_refused(
        run, "backup", f"--backup-dir: {readonly_dir}: cannot write there (Read-only file system)"
    )
    below = readonly_dir / "postgres"
    run = runbook("backup", env={"READINESS_BACKUP_DIR": str(below)})
    assert_runbook_refused(
        run, "backup", f"READINESS_BACKUP_DIR: {below}: cannot create (Read-only file system)"
    )


BAD_RUNBOOK_INPUTS: dict[str, tuple[str, list[str], dict[str, str], str]] = {
    "backup-dir-file": (
        "backup",
        ["--backup-dir={afile}"],
        {},
        "--backup-dir: {afile}: expected a directory, got a file",
    ),
    "backup-env-missing": (
        "backup",
        ["--env-file=/nowhere.env"],
        {},
        f"--env-file: /nowhere.env: {NOTHING}",
    ),
    "backup-bad-env": (
        "backup",
        ["--env-file={badenv}"],
        {},
        "{badenv}: line 1: expected KEY=VALUE",
    ),
    "restore-env-var": (
        "restore",
        ["--confirm=hypercode"],
        {"READINESS_ENV_FILE": "/nowhere.env"},
        f"READINESS_ENV_FILE: /nowhere.env: {NOTHING}",
    ),
    "restore-backup-file": (
        "restore",
        ["--confirm=hypercode", "--backup-file=/nowhere.dump"],
        {},
        "--backup-file: /nowhere.dump is not a file",
    ),
    "restore-safety-dir-file": (
        "restore",
        ["--confirm=hypercode", "--backup-file={afile}", "--safety-dir={afile}"],
        {},
        "--safety-dir: {afile}: expected a directory, got a file",
    ),
    "stack-name": (
        "stack",
        ["status", "--project-name=Bad.Name"],
        {},
        f"--project-name: {NAME_RULE}'Bad.Name'",
    ),
    "stack-name-var": (
        "stack",
        ["status"],
        {"COMPOSE_PROJECT_NAME": "UPPER"},
        f"COMPOSE_PROJECT_NAME: {NAME_RULE}'UPPER'",
    ),
    "release-dir-var": (
        "release",
        ["images"],
        {"READINESS_PROJECT_DIR": "/nowhere/at/all"},
        f"READINESS_PROJECT_DIR: {NOWHERE}",
    ),
    "drill-empty-manifest": (
        "drill",
        ["round-trip", "--manifest={emptyfile}"],
        {},
        "{emptyfile}: expected a mapping at the top level",
    ),
}


@pytest.mark.parametrize(
    ("module", "args", "env", "line"), BAD_RUNBOOK_INPUTS.values(), ids=BAD_RUNBOOK_INPUTS
)
def test_runbook_bad_input_is_named(
    tmp_path: Path, module: str, args: list[str], env: dict[str, str], line: str
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    emptyfile = tmp_path / "empty.yml"
    emptyfile.write_text("")
    badenv = tmp_path / "bad.env"
    badenv.write_text("not an assignment\n")
    names = {"afile": afile, "emptyfile": emptyfile, "badenv": badenv}
    run = runbook(module, *(a.format(**names) for a in args), env=env)
    assert_runbook_refused(run, module, line.format(**names))


def test_runbook_os_error_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """An OSError the step meets (here: a manifest that is a directory) is one line."""
    run = runbook("stack", "status", f"--manifest={tmp_path}")
    assert run.code in (1, 4), run.output
    assert len(run.stderr.strip().splitlines()) == 1, run.output
    assert str(tmp_path) in run.stderr
    assert "Traceback" not in run.output


def test_early_plugin_knows_every_option_that_takes_a_value() -> None:
    """The space hint covers exactly the readiness options that take a value."""
    from fixtures.early import VALUE_OPTIONS
    from fixtures.options import _OPTIONS

    assert set(VALUE_OPTIONS) == {o for o, *_ in _OPTIONS} | {"--compare-with"}
