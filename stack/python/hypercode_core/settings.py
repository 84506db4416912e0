"""Settings from the environment (values come from the stack's .env through compose)."""
import os


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"environment variable {name} is required")
    return value


VERSION = os.environ.get("APP_VERSION", "2.0.0")
# API_KEY and JWT_SECRET are needed by the API only (checked at its start-up), not the worker.
API_KEY = os.environ.get("API_KEY", "")
JWT_SECRET = os.environ.get("JWT_SECRET", "")
REDIS_URL = os.environ.get("REDIS_URL", "redis://redis:6379/0")
PG = {
    "host": os.environ.get("POSTGRES_HOST", "postgres"),
    "port": int(os.environ.get("POSTGRES_PORT", "5432")),
    "dbname": os.environ.get("POSTGRES_DB", "hypercode"),
    "user": os.environ.get("POSTGRES_USER", "hypercode"),
    "password": _required("DB_PASSWORD"),
}
