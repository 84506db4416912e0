"""Fingerprint a database (schema, row counts, content checksums, sequences) and compare two."""

from __future__ import annotations

from dataclasses import dataclass, field

from readiness.backends.pg_container import Postgres, ident, literal

_USER_SCHEMAS = "NOT IN ('pg_catalog', 'information_schema')"

_FACTS_SQL = f"""
SELECT 'schema', 'column ' || table_schema || '.' || table_name || '.' || column_name || ' '
       || data_type || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema {_USER_SCHEMAS}
UNION ALL
SELECT 'schema', 'index ' || schemaname || '.' || indexname || ' ' || indexdef
  FROM pg_indexes WHERE schemaname {_USER_SCHEMAS}
UNION ALL
SELECT 'schema', 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' '
       || pg_get_constraintdef(c.oid)
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
 WHERE n.nspname {_USER_SCHEMAS}
UNION ALL
SELECT 'table', schemaname || '.' || tablename FROM pg_tables WHERE schemaname {_USER_SCHEMAS}
UNION ALL
SELECT 'sequence', schemaname || '.' || sequencename || '=' || coalesce(last_value, 0)::text
  FROM pg_sequences WHERE schemaname {_USER_SCHEMAS}
UNION ALL
SELECT 'owned', sn.nspname || '.' || s.relname || '=' || quote_ident(tn.nspname) || '.'
       || quote_ident(t.relname) || '.' || quote_ident(a.attname)
  FROM pg_depend d
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_namespace sn ON sn.oid = s.relnamespace
  JOIN pg_class t ON t.oid = d.refobjid
  JOIN pg_namespace tn ON tn.oid = t.relnamespace
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
 WHERE d.deptype IN ('a', 'i') AND d.classid = 'pg_class'::regclass
"""


@dataclass(frozen=True)
class TableFacts:
    """Row count and an order-independent checksum of a table's content."""

    rows: int
    checksum: str


@dataclass
class Fingerprint:
    """What a restore must reproduce: schema lines, per-table content, sequence positions."""

    schema: set[str] = field(default_factory=set)
    tables: dict[str, TableFacts] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    owned_max: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: how many tables, rows and sequences."""
        rows = sum(t.rows for t in self.tables.values())
        return f"{len(self.tables)} tables, {rows} rows, {len(self.sequences)} sequences"


def fingerprint(db: Postgres, database: str | None = None) -> Fingerprint:
    """Take the fingerprint of a database (two queries, run inside the postgres container)."""
    fp = Fingerprint()
    tables: list[str] = []
    owned: dict[str, str] = {}
    for kind, value in db.psql(_FACTS_SQL, database):
        if kind == "schema":
            fp.schema.add(value)
        elif kind == "table":
            tables.append(value)
        elif kind == "sequence":
            name, _, last = value.rpartition("=")
            fp.sequences[name] = int(last)
        elif kind == "owned":
            seq, _, column = value.partition("=")
            owned[seq] = column
    parts = []
    for table in sorted(tables):
        schema, _, name = table.partition(".")
        rel = f"{ident(schema)}.{ident(name)}"
        parts.append(
            f"SELECT 'table', {literal(table)}, count(*)::text, md5(coalesce(string_agg("
            f"md5(t::text), ',' ORDER BY md5(t::text)), '')) FROM {rel} t"
        )
    for seq, column in sorted(owned.items()):
        rel, _, col = column.rpartition(".")
        parts.append(
            f"SELECT 'owned', {literal(seq)}, coalesce(max({col}), 0)::bigint::text, '' FROM {rel}"
        )
    if parts:
        for kind, name, number, checksum in db.psql(" UNION ALL ".join(parts), database):
            if kind == "table":
                fp.tables[name] = TableFacts(int(number), checksum)
            else:
                fp.owned_max[name] = int(number)
    return fp


def differences(source: Fingerprint, restored: Fingerprint) -> list[str]:
    """Everything the restored database lacks or changed (``subject: property: expected, got``)."""
    problems = []
    for line in sorted(source.schema - restored.schema):
        problems.append(f"schema: {line}: expected present, got missing")
    for line in sorted(restored.schema - source.schema):
        problems.append(f"schema: {line}: expected absent, got present")
    for table, facts in sorted(source.tables.items()):
        got = restored.tables.get(table)
        if got is None:
            problems.append(f"table {table}: expected present, got missing")
            continue
        if got.rows != facts.rows:
            problems.append(f"table {table}: row count: expected {facts.rows}, got {got.rows}")
        elif got.checksum != facts.checksum:
            problems.append(
                f"table {table}: content checksum: expected {facts.checksum}, got {got.checksum}"
            )
    for table in sorted(set(restored.tables) - set(source.tables)):
        problems.append(f"table {table}: expected absent, got present")
    for seq, last in sorted(source.sequences.items()):
        got_last = restored.sequences.get(seq)
        if got_last is None:
            problems.append(f"sequence {seq}: expected present, got missing")
        elif got_last < last:
            problems.append(f"sequence {seq}: position: expected at least {last}, got {got_last}")
        elif got_last < restored.owned_max.get(seq, 0):
            problems.append(
                f"sequence {seq}: position: expected at least the column's maximum "
                f"{restored.owned_max[seq]}, got {got_last} (next insert collides)"
            )
    return problems
