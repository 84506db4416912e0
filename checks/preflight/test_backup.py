"""Seed 3.1 Database Backup: the tool exists and a fresh, valid dump exists before deploy."""

from __future__ import annotations

import shutil

from fixtures.checkmark import After, check
from fixtures.fix_preflight import Preflight
from readiness.backends import commands
from readiness.model.manifest import Manifest


@check("BAK-01")
def test_backup_tool_exists(manifest: Manifest) -> None:
    """The backup tool (and the project's own backup and restore commands, if named) exists and
    can run."""
    tool = manifest.backup.tool
    if "/" in tool:
        path = manifest.project_dir / tool
        found = path.is_file()
    else:
        found = shutil.which(tool) is not None
    where = "in the project" if "/" in tool else "on PATH"
    assert found, f"backup tool {tool}: exists: expected {where}, got not found"
    named = {"backup command": manifest.backup.command}
    named["restore command"] = manifest.backup.restore_command
    problems = [
        f"{what} `{command}`: {problem}"
        for what, command in named.items()
        if command and (problem := commands.runnable(command, manifest.project_dir))
    ]
    assert not problems, "; ".join(problems)


@check("BAK-02")
def test_backup_is_fresh(backup_location: str, preflight: Preflight, manifest: Manifest) -> None:
    """The newest backup (dated by its own content) is younger than the maximum age."""
    dump = preflight.dump()
    assert dump is not None, (
        f"backup {backup_location}: newest {manifest.backup.pattern}: expected one younger than "
        f"{manifest.backup.max_age_hours:g} h, got none"
    )
    assert dump.age_hours <= manifest.backup.max_age_hours, (
        f"backup {backup_location}/{dump.path.name}: age: expected <= "
        f"{manifest.backup.max_age_hours:g} h, got {dump.age_hours:.1f} h (taken {dump.taken})"
    )


@check("BAK-03")
def test_backup_is_valid(backup_location: str, preflight: Preflight, after: After) -> None:
    """The newest backup is a complete pg_dump: non-empty, readable, restorable by its tool."""
    dump = preflight.dump()
    after.require(dump is not None, "no backup to read")
    assert dump is not None
    name = f"{backup_location}/{dump.path.name}"
    assert dump.size > 0, f"backup {name}: size: expected > 0 bytes, got 0"
    assert not dump.info.problems, (
        f"backup {name}: content ({dump.info.kind}): expected a complete pg_dump, got "
        + "; ".join(dump.info.problems)
    )
    detail = dump.restore_output.splitlines()[-1:] or ["no entries"]
    assert dump.valid, (
        f"backup {name}: pg_restore --list ({dump.restore_tool}): expected a readable archive "
        f"with entries, got exit {dump.restore_rc}, {dump.restore_entries} entries "
        f"({detail[0][:200]})"
    )
