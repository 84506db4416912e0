"""HyperCode core HTTP API (FastAPI).

Endpoints: /health, /metrics, /projects (GET list, POST create), /projects/{id},
/projects/{id}/analyze (enqueue Celery job), /tasks/{id}, /auth/token, /admin/fail.
Writes need the header X-API-Key equal to API_KEY.
"""
import base64
import hashlib
import hmac
import json
import logging
import time
from typing import Optional

import redis
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, constr
from starlette.routing import Match

from . import db, settings
from .worker import celery_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("hypercode.core")

app = FastAPI(title="HyperCode Core", version=settings.VERSION)
cache = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
CACHE_KEY = "hypercode:cache:projects"

REQUESTS = Counter("http_requests_total", "HTTP requests handled by hypercode-core",
                   ["method", "path", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency",
                    ["method", "path"])
# Pre-create series so that rate() sees the first errors of a burst.
for _method, _path, _status in [("GET", "/health", "200"), ("GET", "/health", "503"),
                                ("POST", "/admin/fail", "500"), ("GET", "/projects", "200"),
                                ("GET", "/projects", "500")]:
    REQUESTS.labels(_method, _path, _status)


class ProjectIn(BaseModel):
    name: constr(strip_whitespace=True, min_length=1, max_length=200)  # type: ignore[valid-type]
    description: str = ""


def require_api_key(x_api_key: Optional[str] = Header(default=None)) -> None:
    """Reject the request unless X-API-Key matches API_KEY."""
    if not x_api_key or not hmac.compare_digest(x_api_key, settings.API_KEY):
        raise HTTPException(status_code=401, detail="missing or invalid X-API-Key")


def _route_path(request: Request) -> str:
    for route in app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return getattr(route, "path", "unmatched")
    return "unmatched"


@app.middleware("http")
async def metrics_middleware(request: Request, call_next):
    path = _route_path(request)
    start = time.perf_counter()
    status = "500"
    try:
        response = await call_next(request)
        status = str(response.status_code)
        return response
    finally:
        LATENCY.labels(request.method, path).observe(time.perf_counter() - start)
        REQUESTS.labels(request.method, path, status).inc()


@app.on_event("startup")
def startup() -> None:
    for name in ("API_KEY", "JWT_SECRET"):
        if not getattr(settings, name):
            raise RuntimeError(f"environment variable {name} is required")
    applied = db.migrate()
    log.info("schema ready (applied now: %s)", applied or "none")


@app.get("/")
def root() -> dict:
    return {"service": "hypercode-core", "version": settings.VERSION}


@app.get("/health")
def health() -> JSONResponse:
    checks = {}
    try:
        with db.connect() as conn:
            conn.execute("SELECT 1").fetchone()
        checks["postgres"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["postgres"] = f"error: {type(exc).__name__}"
    try:
        cache.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if ok else "degraded", "version": settings.VERSION, "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)


@app.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _project_row(row: tuple) -> dict:
    return {"id": row[0], "name": row[1], "description": row[2], "created_at": row[3].isoformat()}


@app.get("/projects")
def list_projects(response: Response) -> list:
    cached = _cache_get()
    if cached is not None:
        response.headers["X-Cache"] = "HIT"
        return cached
    with db.connect() as conn:
        rows = conn.execute("SELECT id, name, description, created_at FROM projects "
                            "ORDER BY id").fetchall()
    projects = [_project_row(r) for r in rows]
    _cache_set(projects)
    response.headers["X-Cache"] = "MISS"
    return projects


@app.post("/projects", status_code=201, dependencies=[Depends(require_api_key)])
def create_project(project: ProjectIn) -> dict:
    with db.connect() as conn:
        row = conn.execute("INSERT INTO projects (name, description) VALUES (%s, %s) "
                           "RETURNING id, name, description, created_at",
                           (project.name, project.description)).fetchone()
    _cache_drop()
    return _project_row(row)


@app.get("/projects/{project_id}")
def get_project(project_id: int) -> dict:
    with db.connect() as conn:
        row = conn.execute("SELECT id, name, description, created_at FROM projects "
                           "WHERE id = %s", (project_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="project not found")
    return _project_row(row)


@app.post("/projects/{project_id}/analyze", status_code=202,
          dependencies=[Depends(require_api_key)])
def analyze_project(project_id: int) -> dict:
    with db.connect() as conn:
        if conn.execute("SELECT 1 FROM projects WHERE id = %s", (project_id,)).fetchone() is None:
            raise HTTPException(status_code=404, detail="project not found")
        task_id = conn.execute("INSERT INTO tasks (project_id, kind) VALUES (%s, 'analyze') "
                               "RETURNING id", (project_id,)).fetchone()[0]
    celery_app.send_task("hypercode.analyze_project", args=[project_id, task_id])
    return {"task_id": task_id, "status": "queued"}


@app.get("/tasks/{task_id}")
def get_task(task_id: int) -> dict:
    with db.connect() as conn:
        row = conn.execute("SELECT id, project_id, kind, status, result, created_at, "
                           "finished_at FROM tasks WHERE id = %s", (task_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="task not found")
    return {"id": row[0], "project_id": row[1], "kind": row[2], "status": row[3],
            "result": row[4], "created_at": row[5].isoformat(),
            "finished_at": row[6].isoformat() if row[6] else None}


@app.post("/auth/token", dependencies=[Depends(require_api_key)])
def issue_token() -> dict:
    """Issue a short-lived HS256 JWT signed with JWT_SECRET."""
    now = int(time.time())
    return {"access_token": _jwt({"sub": "api", "iat": now, "exp": now + 3600}),
            "token_type": "bearer"}


@app.post("/admin/fail", dependencies=[Depends(require_api_key)])
def admin_fail() -> JSONResponse:
    """Fault injection: always answers 500 (used to produce a burst of 5xx)."""
    return JSONResponse({"error": "injected failure"}, status_code=500)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(claims: dict) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(settings.JWT_SECRET.encode(), f"{header}.{payload}".encode(),
                         hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _cache_get() -> Optional[list]:
    try:
        raw = cache.get(CACHE_KEY)
        cache.incr("hypercode:stats:project_list_requests")
    except redis.RedisError:
        return None
    return json.loads(raw) if raw else None


def _cache_set(projects: list) -> None:
    try:
        cache.set(CACHE_KEY, json.dumps(projects), ex=30)
    except redis.RedisError:
        log.warning("redis unavailable: projects list not cached")


def _cache_drop() -> None:
    try:
        cache.delete(CACHE_KEY)
    except redis.RedisError:
        log.warning("redis unavailable: cache not invalidated")
