"""PostgreSQL access and schema migrations (run at start-up, recorded in schema_migrations)."""
import logging
import time

import psycopg

from . import settings

log = logging.getLogger("hypercode.db")

MIGRATIONS = [
    (1, "create projects", """
        CREATE TABLE projects (
            id          serial PRIMARY KEY,
            name        text NOT NULL,
            description text NOT NULL DEFAULT '',
            created_at  timestamptz NOT NULL DEFAULT now()
        )"""),
    (2, "create tasks", """
        CREATE TABLE tasks (
            id          serial PRIMARY KEY,
            project_id  integer NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            kind        text NOT NULL,
            status      text NOT NULL DEFAULT 'queued',
            result      jsonb,
            created_at  timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz
        );
        CREATE INDEX tasks_project_id_idx ON tasks(project_id)"""),
    (3, "seed projects", """
        INSERT INTO projects (name, description) VALUES
            ('hypercode-core', 'The HyperCode API'),
            ('broski-terminal', 'The BROski web terminal'),
            ('agent-swarm', 'Crew orchestrator and project strategist')"""),
]


def connect() -> psycopg.Connection:
    """Open a new connection with a short timeout."""
    return psycopg.connect(connect_timeout=3, **settings.PG)


def migrate(attempts: int = 30) -> list[int]:
    """Apply pending migrations under an advisory lock; return the versions applied now."""
    for attempt in range(1, attempts + 1):
        try:
            with connect() as conn:
                return _apply(conn)
        except psycopg.OperationalError as exc:
            log.warning("database not ready (attempt %d/%d): %s", attempt, attempts, exc)
            time.sleep(1)
    raise RuntimeError("database never became available for migrations")


def _apply(conn: psycopg.Connection) -> list[int]:
    applied_now = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(20240)")
        conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
                            version    integer PRIMARY KEY,
                            name       text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now())""")
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                         (version, name))
            applied_now.append(version)
            log.info("applied migration %d: %s", version, name)
    return applied_now
