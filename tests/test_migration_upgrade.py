"""Upgrading a database that already holds data from the first release."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from lms import create_app
from tests.fixtures.app import ON_POSTGRES, TEST_DATABASE_URL

SEED_0001 = [
    "INSERT INTO users (id, email, name, role, password_hash, active, session_version, "
    "created_at) VALUES (1, 'a@example.org', 'A', 'learner', 'x', true, 1, '2026-01-01')",
    "INSERT INTO course (id, slug, title, summary, audience, objectives, language, cpd_hours, "
    "version, content_hash, created_at, updated_at) VALUES (1, 'c', 'C', '', '', '[]', 'en', "
    "1, 1, 'h', '2026-01-01', '2026-01-01')",
    "INSERT INTO quiz (id, course_id, key, title, kind, pass_mark, attempts_allowed, "
    "time_limit_minutes, settings) VALUES (1, 1, 'pre', 'Pre', 'pre', 50, 0, 0, '{}'), "
    "(2, 1, 'final', 'Final', 'final', 50, 0, 0, '{}')",
    # The same key in two quizzes was allowed before 0002.
    "INSERT INTO question (id, quiz_id, key, type, topic, position, prompt, spec, explanation, "
    "\"references\") VALUES (1, 1, 'q', 'true_false', '', 1, 'P?', "
    "'{\"answer\": true, \"feedback_true\": \"\", \"feedback_false\": \"\"}', '', '[]'), "
    "(2, 2, 'q', 'true_false', '', 1, 'P?', "
    "'{\"answer\": false, \"feedback_true\": \"\", \"feedback_false\": \"\"}', '', '[]')",
    "INSERT INTO attempt (id, user_id, quiz_id, number, status, started_at, draw, "
    "course_version) VALUES (1, 1, 2, 1, 'open', '2026-01-01', "
    "'{\"questions\": [2], \"options\": {\"2\": []}}', 1)",
    "INSERT INTO answer (attempt_id, question_id, response, saved_at) VALUES "
    "(1, 2, '{\"chosen\": [\"false\"]}', '2026-01-01')",
]


@pytest.fixture
def empty_database(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    admin = sa.create_engine(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://")
                             .rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS lms_migration_test"))
        conn.execute(sa.text("CREATE DATABASE lms_migration_test"))
    yield TEST_DATABASE_URL.rsplit("/", 1)[0] + "/lms_migration_test"
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS lms_migration_test WITH (FORCE)"))
    admin.dispose()


@pytest.mark.no_db
def test_upgrade_keeps_and_converts_first_release_data(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": empty_database})
    with app.app_context():
        from lms.core.db import db

        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for statement in SEED_0001:
                conn.execute(sa.text(statement))
        upgrade(revision="0004")
        with db.engine.begin() as conn:  # one finished attempt before item statistics
            conn.execute(sa.text(
                "INSERT INTO attempt (id, user_id, quiz_id, number, status, started_at, draw, "
                "course_version, score, passed, revision) VALUES (2, 1, 1, 1, 'finished', "
                "'2026-01-01', '{\"questions\": [1]}', 1, 100, true, 0)"))
            conn.execute(sa.text("INSERT INTO answer (attempt_id, question_id, response, score, "
                                 "saved_at) VALUES (2, 1, '{}', 1.0, '2026-01-01')"))
        upgrade()
        with db.engine.connect() as conn:
            stats = conn.execute(sa.text(
                "SELECT quiz_id, question_id, attempts, sum_x FROM item_stat")).all()
        assert [tuple(row) for row in stats] == [(1, 1, 1, 1.0)]
        with db.engine.connect() as conn:
            keys = dict(conn.execute(sa.text("SELECT id, key FROM question")).all())
            courses = set(conn.execute(sa.text("SELECT course_id FROM question")).scalars())
            draw = conn.execute(sa.text("SELECT draw FROM attempt WHERE id = 1")).scalar_one()
        draw = json.loads(draw) if isinstance(draw, str) else draw
        assert keys == {1: "q", 2: "q-2"} and courses == {1}
        assert draw["specs"]["2"]["type"] == "true_false"
        assert draw["order"] == {"2": []}
        # The old open attempt can be finished and graded after the upgrade.
        from lms.assessment.models import Attempt
        from lms.assessment.services import finish_attempt

        attempt = finish_attempt(db.session.get(Attempt, 1))
        db.session.commit()
        assert attempt.score == 100.0
        from lms.assessment.statistics import quiz_item_statistics

        assert [s.attempts for s in quiz_item_statistics(2)] == [1]
        db.session.remove()
        db.engine.dispose()
