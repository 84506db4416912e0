"""Celery application (broker: Redis) and the tasks the core enqueues."""
import json

from celery import Celery

from . import db, settings

celery_app = Celery("hypercode", broker=settings.REDIS_URL)
celery_app.conf.update(
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    worker_send_task_events=False,
)


@celery_app.task(name="hypercode.analyze_project")
def analyze_project(project_id: int, task_id: int) -> None:
    """Analyse a project (count words of its description) and record the result in `tasks`."""
    with db.connect() as conn:
        row = conn.execute("SELECT name, description FROM projects WHERE id = %s",
                           (project_id,)).fetchone()
        if row is None:
            result, status = {"error": "project not found"}, "failed"
        else:
            name, description = row
            result = {"name": name, "words": len(description.split()),
                      "chars": len(description)}
            status = "done"
        conn.execute("UPDATE tasks SET status = %s, result = %s, finished_at = now() "
                     "WHERE id = %s", (status, json.dumps(result), task_id))
