"""What the backup, restore and verify-launch scripts act on: manifest, project, .env, backups."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from fixtures.envfile import read_env
from fixtures.manifest import Manifest, load_manifest
from runbook.db import Postgres
from runbook.stack import Target

REPO = Path(__file__).resolve().parents[1]
BACKUP_DIR_ENV = "READINESS_BACKUP_DIR"


@dataclass(frozen=True)
class Settings:
    """One target of the runbook scripts."""

    manifest: Manifest
    project_name: str
    env_file: Path
    backup_dir: Path

    @property
    def db(self) -> Postgres:
        """The target's database (through its postgres container)."""
        m = self.manifest
        return Postgres(self.project_name, m.db_service, m.db_user, m.db_name)

    @property
    def stack(self) -> Target:
        """The compose target (runbook.stack's), for stop/start and health waits."""
        return Target(self.manifest.project_dir, self.project_name, self.env_file)

    def compose(self) -> list[str]:
        """``docker compose`` for this target with every compose file of the manifest."""
        return self.stack.compose(*(str(f) for f in self.manifest.compose_files))

    def env(self) -> dict[str, str]:
        """The target's .env values."""
        return read_env(self.env_file)


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """--manifest, --project-name, --env-file, --backup-dir (each with an env fallback)."""
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path(os.environ.get("READINESS_MANIFEST", REPO / "readiness.yml")),
        help="readiness manifest [env READINESS_MANIFEST; default %(default)s]",
    )
    parser.add_argument(
        "--project-name",
        default=os.environ.get("COMPOSE_PROJECT_NAME", ""),
        help="compose project name [env COMPOSE_PROJECT_NAME; default: manifest's]",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=Path(os.environ["READINESS_ENV_FILE"])
        if os.environ.get("READINESS_ENV_FILE")
        else None,
        help="the stack's .env [env READINESS_ENV_FILE; default: manifest's]",
    )
    parser.add_argument(
        "--backup-dir",
        type=Path,
        default=Path(os.environ[BACKUP_DIR_ENV]) if os.environ.get(BACKUP_DIR_ENV) else None,
        help=f"backup directory [env {BACKUP_DIR_ENV}; default: manifest's backup.directory]",
    )


def settings_from(
    manifest_path: Path,
    project_name: str = "",
    env_file: Path | None = None,
    backup_dir: Path | None = None,
) -> Settings:
    """Resolve the options against the manifest (ConfigError if the manifest is bad)."""
    manifest = load_manifest(manifest_path.resolve())
    return Settings(
        manifest=manifest,
        project_name=project_name or manifest.project_name,
        env_file=(env_file or manifest.env_file).resolve(),
        backup_dir=(backup_dir or manifest.backup_dir).resolve(),
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from parsed ``add_target_options`` arguments."""
    return settings_from(args.manifest, args.project_name, args.env_file, args.backup_dir)
