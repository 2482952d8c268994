"""The migrations build exactly the schema the models describe; /healthz tells the truth."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import create_app
from lms.core.db import db


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


def test_one_open_attempt_index_is_partial(app):
    # The constraint that holds "one open attempt" must exist in the migrated schema.
    inspector = db.inspect(db.engine)
    indexes = {ix["name"]: ix for ix in inspector.get_indexes("attempt")}
    assert indexes["uq_attempt_one_open"]["unique"]
    cert_indexes = {ix["name"]: ix for ix in inspector.get_indexes("certificate")}
    assert cert_indexes["uq_certificate_one_issued"]["unique"]


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_an_unreachable_database():
    broken = create_app({"SECRET_KEY": "x", "TESTING": True,
                         "DATABASE_URL": "sqlite:////nonexistent-dir/nowhere/lms.sqlite3"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "reason": "database unreachable"}


def test_healthz_reports_an_unreachable_postgres():
    broken = create_app({"SECRET_KEY": "x", "TESTING": True,
                         "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                         "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
