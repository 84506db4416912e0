"""Helpers of the foreign-project tests: a runnable copy of a project, its expected findings table,
and the comparison of a suite run with that table (false alarms, misses, wrong messages)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.harness import Run

FOREIGN = Path(__file__).resolve().parent / "foreign"
PROJECTS = ("ledger", "telemetry", "kiosk")
OUTCOMES = ("passed", "failed", "broken", "skipped", "not run")
BAD = ("failed", "broken", "waived")

# kiosk: file mtimes that mislead (hours before now); the dates inside the dumps say otherwise.
KIOSK_MTIMES = {"kiosk-utf16.sql": 0.0, "kiosk-plain.sql": 48.0, "kiosk-custom.dump": 960.0}
# The TLS pair each project's nginx serves (cert, key, name), made by the test.
TLS = {
    "ledger": ("certs/ledger.crt", "certs/ledger.key", "ledger.localhost"),
    "kiosk": ("certs/kiosk.crt", "certs/kiosk.key", "kiosk.localhost"),
}


def env_names(example: Path) -> list[str]:
    """The variable names ``.env.example`` lists."""
    names = []
    for line in example.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.append(line.split("=", 1)[0].strip())
    return names


def write_env(project: Path) -> Path:
    """``.env`` with a fresh random value for every variable of ``.env.example`` (mode 600)."""
    env = project / ".env"
    names = env_names(project / ".env.example")
    env.write_text("".join(f"{name}={secrets.token_urlsafe(24)}\n" for name in names))
    os.chmod(env, 0o600)
    return env


def self_signed(cert: Path, key: Path, name: str) -> None:
    """A self-signed EC P-256 certificate for ``name``, valid 90 days."""
    cert.parent.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(built.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(key, 0o600)


def git_commit(root: Path, message: str) -> None:
    """``root`` as a git checkout on ``main`` with everything committed."""
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", message],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def set_mtimes(directory: Path, hours_ago: dict[str, float]) -> None:
    """Set each file's mtime to ``hours_ago`` hours before now."""
    now = time.time()
    for name, hours in hours_ago.items():
        when = now - hours * 3600
        os.utime(directory / name, (when, when))


def prepare(name: str, tmp: Path, dump: bytes | None = None) -> Path:
    """A runnable copy of foreign project ``name`` in ``tmp``: .env, TLS pair, dump, git, mtimes.

    ``dump`` (a fresh custom-format pg_dump) is planted in the ledger's backups directory.
    """
    project = tmp / name
    shutil.copytree(FOREIGN / name, project)
    write_env(project)
    if name in TLS:
        cert, key, server = TLS[name]
        self_signed(project / cert, project / key, server)
    if name == "ledger" and dump is not None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d_%H%M%S")
        (project / "backups" / f"ledger-{stamp}.dump").write_bytes(dump)
    git_commit(project, name)
    if name == "kiosk":
        set_mtimes(project / "backups", KIOSK_MTIMES)
    return project


# --- the expected findings table -----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One expected finding: outcome, and a substring of the message for non-passes."""

    check: str
    subject: str
    outcome: str
    message: str = ""


def load_expected(name: str, table: str = "expected.yml") -> tuple[str, dict[tuple[str, str], Row]]:
    """(verdict, rows by (check, subject)) of ``tests/foreign/<name>/<table>``."""
    data: dict[str, Any] = yaml.safe_load((FOREIGN / name / table).read_text())
    rows: dict[tuple[str, str], Row] = {}
    for check, subjects in (data.get("findings") or {}).items():
        for subject, spec in subjects.items():
            if isinstance(spec, dict):
                row = Row(
                    str(check), str(subject), str(spec["outcome"]), str(spec.get("message", ""))
                )
            else:
                row = Row(str(check), str(subject), str(spec))
            if row.outcome not in OUTCOMES:
                raise ValueError(f"{name}/{table}: {check}[{subject}]: outcome {row.outcome!r}")
            rows[(row.check, row.subject)] = row
    return str(data["verdict"]), rows


@dataclass(frozen=True)
class Comparison:
    """How a run differs from the expected table."""

    false_alarms: list[str]
    misses: list[str]
    other: list[str]

    @property
    def problems(self) -> list[str]:
        """Every difference, one line each."""
        return [
            *(f"FALSE ALARM {p}" for p in self.false_alarms),
            *(f"MISS {p}" for p in self.misses),
            *self.other,
        ]

    def report(self, name: str, run: Run) -> str:
        """The assertion message: every difference, then the tail of the suite's output."""
        lines = "\n".join(f"  {p}" for p in self.problems)
        return (
            f"{name}: {len(self.false_alarms)} false alarm(s), {len(self.misses)} miss(es), "
            f"{len(self.other)} other difference(s):\n{lines}\n--- suite output (tail) ---\n"
            f"{run.output[-2500:]}"
        )


def compare(
    expected_verdict: str,
    expected: dict[tuple[str, str], Row],
    run: Run,
    ignore: frozenset[tuple[str, str]] = frozenset(),
) -> Comparison:
    """Compare ``run`` with the table; rows in ``ignore`` (and the verdict, if any) are skipped.

    A false alarm is a result that did not pass (failed, broken, waived) where the table expects a
    pass or nothing; a miss is an expected failure (or breakage) that passed, was skipped or did
    not run. "not run" accepts no result, a skipped one or a not-applicable (n/a) one.
    """
    got = {(r["check"], r["subject"]): r for r in run.results}
    false_alarms: list[str] = []
    misses: list[str] = []
    other: list[str] = []
    for key in sorted(set(expected) | set(got)):
        if key in ignore:
            continue
        check, subject = key
        where = f"{check}[{subject}]"
        row = expected.get(key)
        result = got.get(key)
        outcome = str(result["outcome"]) if result else "not run"
        message = str(result["message"]) if result else ""
        short = f" ({message.splitlines()[0][:220]})" if message else ""
        if row is None:
            if outcome in BAD:
                false_alarms.append(f"{where}: not in the table, got {outcome}{short}")
            elif outcome not in ("skipped", "n/a"):
                other.append(f"{where}: not in the table, got {outcome}")
            continue
        wanted = row.outcome
        if wanted == "not run":
            if outcome in BAD:
                false_alarms.append(f"{where}: expected not run, got {outcome}{short}")
            elif outcome not in ("not run", "skipped", "n/a"):
                other.append(f"{where}: expected not run, got {outcome}")
        elif wanted == "passed":
            if outcome in BAD:
                false_alarms.append(f"{where}: expected passed, got {outcome}{short}")
            elif outcome != "passed":
                other.append(f"{where}: expected passed, got {outcome}{short}")
        elif wanted in ("failed", "broken"):
            if outcome not in BAD:
                misses.append(f"{where}: expected {wanted} ({row.message!r}), got {outcome}")
            elif outcome != wanted and not (wanted == "failed" and outcome == "waived"):
                other.append(f"{where}: expected {wanted}, got {outcome}{short}")
            elif row.message and row.message not in message:
                other.append(
                    f"{where}: {outcome} as expected, but the message lacks {row.message!r}{short}"
                )
        elif wanted == "skipped" and outcome != "skipped":
            other.append(f"{where}: expected skipped, got {outcome}{short}")
    if not ignore and run.verdict != expected_verdict:
        other.append(
            f"verdict: expected {expected_verdict}, got {run.verdict or 'none'}"
            f" (exit {run.exit_code})"
        )
    return Comparison(false_alarms, misses, other)
