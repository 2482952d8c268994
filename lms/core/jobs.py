"""Background jobs on Huey: SQLite storage in instance/ (embedded), Redis (scaled).

Two kinds of work run outside the request:
- *tasks*: small functions taking ids (`@task()`, `@periodic(crontab(...))`), each
  run in its own app context and committing once;
- *jobs*: long work a person starts from a page (issue to all, imports), stored
  as a `Job` row that the page shows as a progress bar. A job kind registers a
  `step(job)` that does one batch and flushes; the runner commits each batch
  together with the job's progress, under a lease. A worker killed half-way
  loses at most its open batch (rolled back by the database); when the lease
  runs out, the job is run again from where its committed batches left it.
  Steps must pick their next batch from the database ("who is still waiting"),
  never from a counter, so nothing is done twice.

Huey removes a task from the queue when a worker takes it, so the Job table,
not the queue, is the record of what must still happen.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.core.db import db, utcnow
from lms.core.errors import DomainError

# One queue object for the process; its storage is chosen from the app's config the
# first time it is used (not in create_app, which must not touch files or network).
huey = Huey("lms", storage_class=MemoryStorage, results=False)
_state: dict[str, Any] = {"app": None, "storage_for": None}


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    params: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Who runs it, until when: another worker may take it over only after the lease.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(32))
    lease_until: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def visible_to(self, user) -> bool:
        """Its starter sees a job, and admins see every job."""
        return self.created_by_id == user.id or user.role == "admin"

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0


@dataclass(frozen=True)
class JobKind:
    name: str
    step: Callable[[Job], bool]  # one batch; True when nothing is left
    title: Callable[[Job], str]  # what the progress page calls it
    back: Callable[[Job], str]  # where the page links when the job is over


KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    KINDS[kind.name] = kind


# --- running tasks in an app context ---------------------------------------------


@contextmanager
def _task_context():
    app = current_app._get_current_object() if has_app_context() else _state["app"]
    if app is None:
        raise RuntimeError("jobs run inside `flask jobs worker`, which sets the app")
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def task(**options: Any):
    """A background task; it takes ids (never ORM objects) and commits its own work."""
    def decorate(fn):
        def run(*args, **kwargs):
            with _task_context():
                return fn(*args, **kwargs)
        run.__name__, run.__doc__ = fn.__name__, fn.__doc__
        return huey.task(name=f"{fn.__module__}.{fn.__name__}", **options)(run)
    return decorate


def periodic(schedule: Callable, **options: Any):
    """A task the worker runs on a schedule (every worker: make it idempotent)."""
    def decorate(fn):
        def run():
            with _task_context():
                return fn()
        run.__name__, run.__doc__ = fn.__name__, fn.__doc__
        return huey.periodic_task(schedule, name=f"{fn.__module__}.{fn.__name__}",
                                  **options)(run)
    return decorate


def use_storage(app: Flask) -> Huey:
    """Point the queue at the app's storage (once per app); returns the queue."""
    if _state["storage_for"] is app:
        return huey
    config = app.config
    if config["JOBS_IMMEDIATE"]:
        huey.immediate = True  # tests: run in the enqueuing thread, after the commit
    elif config["REDIS_URL"]:
        huey.immediate = False
        huey.storage = RedisStorage(config["JOBS_QUEUE"], url=config["REDIS_URL"])
    else:
        huey.immediate = False
        huey.storage = SqliteStorage(config["JOBS_QUEUE"], filename=config["JOBS_FILE"])
    _state["storage_for"] = app
    return huey


# --- enqueue only what was committed ----------------------------------------------


def after_commit(fn: Callable[[], Any]) -> None:
    """Run `fn` once the current transaction commits; drop it on rollback. A job row
    and the task that runs it come into being together, or not at all."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so a rollback (even one with no SQL in it) drops the hook
    db.session.info.setdefault("lms_after_commit", []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # The transaction is already committed: a failing hook (Redis down) must not turn the
    # request into an error page. The job row exists; recover_stale_jobs queues it.
    for fn in session.info.pop("lms_after_commit", []):
        try:
            fn()
        except Exception:
            logging.getLogger(__name__).exception("could not queue a job; it is retried "
                                                  "within a minute")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    # "soft": also when the session never touched the database (no real ROLLBACK ran),
    # so a hook cannot survive into the next commit; a savepoint's rollback keeps them.
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop("lms_after_commit", None)


def start_job(kind: str, *, params: dict, total: int, created_by_id: int | None) -> Job:
    """Create a job; it is queued when the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind}")
    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    job = Job(kind=kind, params=params, total=total, created_by_id=created_by_id,
              status="queued", lease_until=utcnow() + lease)
    db.session.add(job)
    db.session.flush()
    app, job_id = current_app._get_current_object(), job.id

    def enqueue() -> None:
        use_storage(app)
        run_job(job_id)

    after_commit(enqueue)
    return job


# --- the runner --------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def claim(job_id: int, token: str) -> bool:
    """Take the job if nobody holds a live lease on it (commits)."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Job).where(
            Job.id == job_id, Job.status.in_(("queued", "running")),
            sa.or_(Job.status == "queued", Job.lease_until.is_(None), Job.lease_until < now))
        .values(status="running", claimed_by=token, lease_until=now + _lease(),
                started_at=sa.func.coalesce(Job.started_at, now))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return claimed == 1


def _still_ours(job: Job, token: str, **values: Any) -> bool:
    """Renew the lease (and write `values`) only while this runner holds the job."""
    return db.session.execute(
        sa.update(Job).where(Job.id == job.id, Job.claimed_by == token)
        .values(lease_until=utcnow() + _lease(), **values)
        .execution_options(synchronize_session=False)).rowcount == 1


def run_claimed(job_id: int, token: str) -> None:
    """Run batches until the job is done, it fails, or another runner took it over."""
    while True:
        job = db.session.get(Job, job_id)
        kind = KINDS.get(job.kind)
        try:
            if kind is None:
                raise DomainError(f"unknown job kind {job.kind}")
            finished = kind.step(job)
        except DomainError as error:
            db.session.rollback()
            _still_ours(db.session.get(Job, job_id), token, status="failed",
                        error=error.message, finished_at=utcnow())
            db.session.commit()
            return
        except Exception:
            db.session.rollback()
            current_app.logger.exception("job %s (%s) failed", job_id, kind and kind.name)
            _still_ours(db.session.get(Job, job_id), token, status="failed",
                        error="unexpected error; see the server log", finished_at=utcnow())
            db.session.commit()
            raise
        values = {"done": job.done, "total": max(job.total, job.done)}
        if finished:
            values.update(status="done", finished_at=utcnow())
        if not _still_ours(job, token, **values):
            db.session.rollback()  # taken over after our lease ran out: our batch is void
            return
        db.session.commit()
        if finished:
            return


@task()
def run_job(job_id: int) -> None:
    """Queue entry point: claim, then run."""
    token = secrets.token_hex(8)
    if claim(job_id, token):
        run_claimed(job_id, token)


def recover_jobs(*, schedule_live: bool = True) -> int:
    """Queue again every unfinished job whose lease ran out; with `schedule_live`, also
    schedule those still leased for when their lease ends (at a worker's start, its
    predecessor's lease may not be over yet). Returns how many were queued."""
    now = utcnow()
    jobs = db.session.execute(sa.select(Job.id, Job.lease_until).where(
        Job.status.in_(("queued", "running")))).all()
    db.session.rollback()
    queued = 0
    for job_id, lease_until in jobs:
        if lease_until is None or lease_until <= now:
            run_job(job_id)
        elif schedule_live:
            run_job.schedule(args=(job_id,), eta=lease_until + timedelta(seconds=1))
        else:
            continue
        queued += 1
    return queued


@huey.on_startup()
def _recover_on_start() -> None:
    with _task_context():
        recover_jobs()


@periodic(crontab(minute="*"))
def recover_stale_jobs() -> None:
    """Every minute: jobs whose worker died (another host may have to take them on)."""
    recover_jobs(schedule_live=False)


@periodic(crontab(minute="*/10"))
def purge_rate_limit_counters() -> None:
    """Counters of windows long over (the database store only; Redis expires its own)."""
    from lms.core.throttle import purge_expired

    purge_expired()


def init_app(app: Flask) -> None:
    from lms.core import job_views
    from lms.core.worker import jobs_cli

    app.register_blueprint(job_views.bp)
    app.cli.add_command(jobs_cli)
