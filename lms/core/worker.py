"""`flask jobs worker`: the Huey consumer that runs background jobs for this app."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

import click
from flask import current_app
from flask.cli import AppGroup

from lms.core import jobs

jobs_cli = AppGroup("jobs", help="Background jobs.")


def _without_password(url: str | None) -> str | None:
    """redis://:secret@host:6379/0 → redis://host:6379/0, for the log."""
    if not url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port
                                                              else "")))


@jobs_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at the same time.")
def worker_command(threads: int) -> None:
    """Run jobs until stopped (Ctrl-C or SIGTERM finish the running task first).

    Start any number of these, on any number of hosts, against one Redis
    (LMS_REDIS_URL); without Redis, one per host on the embedded queue in instance/.
    """
    from huey.consumer import Consumer

    app = current_app._get_current_object()
    if app.config["JOBS_IMMEDIATE"]:
        raise click.ClickException("LMS_JOBS_IMMEDIATE is set: jobs run inside requests, "
                                   "there is nothing for a worker to do")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    jobs._state["app"] = app
    queue = jobs.use_storage(app)
    where = _without_password(app.config["REDIS_URL"]) or app.config["JOBS_FILE"]
    click.echo(f"jobs worker: {threads} thread(s), queue {queue.name!r} on {where}", err=True)
    Consumer(queue, workers=threads, worker_type="thread", periodic=True, initial_delay=0.05,
             backoff=1.5, max_delay=1.0, check_worker_health=True,
             health_check_interval=5).run()
