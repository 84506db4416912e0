"""Seed phase 2: PostgreSQL accepts the .env credentials and holds the expected schema."""

from __future__ import annotations

from fixtures.checkmark import After, check
from fixtures.fix_postdeploy import MIGRATIONS
from readiness.backends.postgres import DbFacts
from readiness.model.manifest import Manifest


@check("DB-01")
def test_postgres_accepts_env_credentials(database: DbFacts, manifest: Manifest) -> None:
    """PostgreSQL accepts the .env credentials (psycopg login to the live database)."""
    assert database.accepted, (
        f"postgres {database.address}: login with {manifest.database.password_env} from .env: "
        f"expected accepted, got refused: {database.refused}"
    )


@check("DB-02")
def test_postgres_has_expected_schema(
    schema_item: str, database: DbFacts, manifest: Manifest, after: After
) -> None:
    """PostgreSQL has the expected table, and the expected migrations are recorded."""
    after.require(database.accepted, "no login to PostgreSQL")
    where = f"postgres {manifest.database.name}"
    if schema_item == MIGRATIONS:
        table = manifest.database.migrations_table
        assert not database.migrations_error, (
            f"{where}: migrations: expected versions recorded in {table}, got "
            f"{database.migrations_error}"
        )
        missing = sorted(set(manifest.database.migrations) - database.migrations)
        assert not missing, (
            f"{where}: migrations: expected {sorted(manifest.database.migrations)} applied, "
            f"got {sorted(database.migrations)} (missing {missing})"
        )
        return
    assert schema_item in database.tables, (
        f"{where}: table {schema_item}: expected present, got absent "
        f"(tables: {', '.join(sorted(database.tables)) or 'none'})"
    )
