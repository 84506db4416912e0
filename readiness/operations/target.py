"""What the runbook operations act on: the manifest's project, its .env and its backups."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readiness.backends.pg_container import Postgres
from readiness.model.manifest import Manifest, load_manifest
from readiness.operations.stack import ComposeProject
from readiness.parsers.envfile import read_env

BACKUP_DIR_ENV = "READINESS_BACKUP_DIR"
"""Environment variable that overrides the manifest's backup directory."""


@dataclass(frozen=True)
class Settings:
    """One target of the runbook: manifest, project name, .env and backup directory."""

    manifest: Manifest
    project_name: str
    env_file: Path
    backup_dir: Path

    @property
    def db(self) -> Postgres:
        """The target's database (through its database container)."""
        db = self.manifest.database
        return Postgres(self.project_name, db.service, db.user, db.name)

    @property
    def stack(self) -> ComposeProject:
        """The compose project: directory, name, .env and every compose file of the manifest."""
        m = self.manifest
        return ComposeProject(m.project_dir, self.project_name, self.env_file, m.compose_files)

    def compose(self) -> list[str]:
        """``docker compose`` for this target with every compose file of the manifest."""
        return self.stack.compose()

    def env(self) -> dict[str, str]:
        """The target's .env values."""
        return read_env(self.env_file)


def settings_from(
    manifest_path: Path,
    project_name: str = "",
    env_file: Path | None = None,
    backup_dir: Path | None = None,
    project_dir: Path | None = None,
) -> Settings:
    """Resolve the options against the manifest (ConfigError if the manifest is bad)."""
    manifest = load_manifest(manifest_path.resolve(), project_dir)
    return Settings(
        manifest=manifest,
        project_name=project_name or manifest.project_name,
        env_file=(env_file or manifest.env_file).resolve(),
        backup_dir=(backup_dir or manifest.backup.directory).resolve(),
    )
