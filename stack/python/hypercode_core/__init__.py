"""HyperCode core API: projects and tasks in PostgreSQL, cache in Redis, jobs via Celery."""
