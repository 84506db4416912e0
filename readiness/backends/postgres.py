"""PostgreSQL of the live stack, asked once per session with the .env credentials (psycopg)."""

from __future__ import annotations

from dataclasses import dataclass

from readiness.model.masking import Masker

_AUTH_CODES = {"28P01", "28000"}  # invalid_password, invalid_authorization_specification


@dataclass(frozen=True)
class DbFacts:
    """Whether the credentials were accepted, and what schema the database holds."""

    address: str
    accepted: bool = False
    refused: str = ""
    unreachable: str = ""
    tables: frozenset[str] = frozenset()
    migrations: frozenset[int] = frozenset()
    migrations_error: str = ""


def gather(
    host: str,
    port: int,
    dbname: str,
    user: str,
    password: str,
    migrations_table: str,
    timeout: float,
    masker: Masker,
) -> DbFacts:
    """Connect once; an authentication refusal is a finding, anything else is unreachable."""
    import psycopg  # lazy: ~65 ms that runs without a database never pay
    from psycopg import sql

    address = f"{host}:{port}/{dbname} as {user}"
    try:
        conn = psycopg.connect(
            host=host,
            port=port,
            dbname=dbname,
            user=user,
            password=password,
            connect_timeout=max(1, int(timeout)),
            application_name="readiness-postdeploy",
        )
    except psycopg.OperationalError as exc:
        text = masker.mask(" ".join(str(exc).split()))[:300]
        code = getattr(exc, "sqlstate", None)
        if code in _AUTH_CODES or "password authentication failed" in text:
            return DbFacts(address, refused=text)
        return DbFacts(address, unreachable=text)
    with conn:
        conn.read_only = True
        tables = frozenset(
            str(row[0])
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        )
        versions: frozenset[int] = frozenset()
        error = ""
        if migrations_table:
            if migrations_table in tables:
                query = sql.SQL("SELECT version FROM {}").format(sql.Identifier(migrations_table))
                versions = frozenset(int(row[0]) for row in conn.execute(query))
            else:
                error = f"table {migrations_table} does not exist"
    return DbFacts(address, True, tables=tables, migrations=versions, migrations_error=error)
