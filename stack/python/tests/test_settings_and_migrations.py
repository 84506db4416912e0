"""Unit tests of hypercode-core that need no server (stdlib only).

Run from the stack directory:  python3 -m unittest discover -s python/tests -t python
"""
import ast
import importlib
import os
import sys
import unittest
from pathlib import Path
from unittest import mock

CORE = Path(__file__).resolve().parent.parent / "hypercode_core"


def load_settings(env):
    """Import hypercode_core.settings afresh under ``env``."""
    sys.modules.pop("hypercode_core.settings", None)
    with mock.patch.dict(os.environ, env, clear=True):
        return importlib.import_module("hypercode_core.settings")


class SettingsTest(unittest.TestCase):
    def test_database_settings_come_from_environment(self):
        settings = load_settings({"DB_PASSWORD": "pw-from-env", "POSTGRES_DB": "other",
                                  "POSTGRES_PORT": "6543"})
        self.assertEqual(settings.PG["password"], "pw-from-env")
        self.assertEqual(settings.PG["dbname"], "other")
        self.assertEqual(settings.PG["port"], 6543)

    def test_database_password_is_required(self):
        with self.assertRaises(RuntimeError):
            load_settings({})

    def test_defaults_point_at_compose_services(self):
        settings = load_settings({"DB_PASSWORD": "x"})
        self.assertEqual(settings.PG["host"], "postgres")
        self.assertTrue(settings.REDIS_URL.startswith("redis://redis:"))


class MigrationsTest(unittest.TestCase):
    """The migration list is read from the source (db.py imports psycopg, absent here)."""

    def migrations(self):
        tree = ast.parse((CORE / "db.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MIGRATIONS":
                return ast.literal_eval(node.value)
        self.fail("db.py defines no MIGRATIONS")

    def test_versions_are_unique_and_increasing(self):
        versions = [version for version, _, _ in self.migrations()]
        self.assertEqual(versions, sorted(set(versions)))
        self.assertEqual(versions[0], 1)

    def test_schema_creates_expected_tables(self):
        sql = " ".join(body for _, _, body in self.migrations())
        for table in ("projects", "tasks"):
            self.assertIn(f"CREATE TABLE {table}", sql)


if __name__ == "__main__":
    unittest.main()
