"""Sign-in and sessions to ASVS level 2: shared, atomic failure limits with a growing
delay, sign-in events in the audit log, an absolute session lifetime, /verify limits."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from lms.accounts.signin import _account_digest
from lms.core.audit import AuditEvent
from lms.core.throttle import FREE, ThrottleCounter, delay_after
from tests.fixtures.app import csrf_token, post_form
from tests.fixtures.users import PASSWORD, login

WRONG = "not the right passphrase"


@pytest.fixture
def limits(app):
    """The real limits for one test (the suite signs in far more often)."""
    saved = {k: app.config[k] for k in ("LOGIN_LIMIT_PER_ADDRESS", "VERIFY_LIMIT_PER_ADDRESS")}
    app.config.update(LOGIN_LIMIT_PER_ADDRESS=10, VERIFY_LIMIT_PER_ADDRESS=60)
    yield app.config
    app.config.update(saved)


def _try(client, email: str, password: str = WRONG, address: str = "127.0.0.1"):
    return post_form(client, "/login", {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": address})


def _events(db, action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def test_failures_per_address_are_limited_and_say_when_to_retry(db, client, limits, learner):
    statuses = [_try(client, f"x{n}@example.org").status_code for n in range(11)]
    assert statuses == [401] * 10 + [429]
    refused = _try(client, learner.email, PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert _try(client, learner.email, PASSWORD, address="10.0.0.2").status_code == 302


def test_successful_sign_ins_give_their_count_back(db, app, limits, learner):
    for _ in range(15):
        assert _try(app.test_client(), learner.email, PASSWORD).status_code == 302


def test_a_concurrent_burst_cannot_slip_past(db, app, limits, learner):
    """40 wrong passwords released together: exactly the limit is checked."""
    email = learner.email
    db.session.commit()
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf_token(c) for c in clients]
    barrier, statuses = threading.Barrier(len(clients)), []

    def attempt(client, token):
        barrier.wait()
        statuses.append(client.post("/login", data={"csrf_token": token, "email": email,
                                                     "password": WRONG}).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens,
                                                                          strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 10 + [429] * 30, statuses


def test_an_account_slows_down_after_ten_failures_and_stops_at_a_hundred(db, app, client,
                                                                          limits, learner):
    limits["LOGIN_LIMIT_PER_ADDRESS"] = 10_000  # many addresses: only the account counts
    for n in range(FREE):
        assert _try(client, learner.email, address=f"10.1.0.{n}").status_code == 401
    delayed = _try(client, learner.email, PASSWORD, address="10.2.0.1")
    assert delayed.status_code == 429 and delayed.headers["Retry-After"] == str(delay_after(FREE))
    key = f"login-account:{_account_digest(learner.email)}"
    row = db.session.get(ThrottleCounter, key)
    row.not_before = time.time() - 1  # the second has passed
    db.session.commit()
    assert _try(client, learner.email, PASSWORD, address="10.2.0.2").status_code == 302
    assert db.session.get(ThrottleCounter, key) is None  # the owner's success clears it
    # An hour's worth of attacks, each after its delay: the 101st is refused outright.
    db.session.add(ThrottleCounter(key=key, window_start=time.time(), count=100,
                                   not_before=0.0))
    db.session.commit()
    capped = _try(app.test_client(), learner.email, PASSWORD, address="10.3.0.1")
    assert capped.status_code == 429 and int(capped.headers["Retry-After"]) > 60 * 50


def test_the_delay_grows_and_is_capped():
    assert [delay_after(n) for n in range(FREE - 1, FREE + 8)] == [0, 1, 2, 4, 8, 16, 32, 60,
                                                                   60]


def test_sign_in_events_are_audited_without_secrets(db, app, client, limits, learner):
    _try(client, learner.email, "my secret passphrase 1")
    _try(client, "mallory@example.org\r\n2026-12-02 admin signed in")
    _try(client, "my other secret passphrase")  # typed into the email box
    login(client, learner)
    post_form(client, "/logout")
    failed = _events(db, "auth.login_failed")
    assert [e.data["email"] for e in failed] == [
        learner.email, "(not an email address)", "(not an email address)"]
    assert all(e.ip == "127.0.0.1" and e.actor_id is None for e in failed)
    [succeeded] = _events(db, "auth.login_succeeded")
    assert succeeded.actor_id == learner.id
    assert len(_events(db, "auth.logout")) == 1
    everything = " ".join(str(e.data) for e in db.session.scalars(sa.select(AuditEvent)))
    assert "secret passphrase" not in everything and PASSWORD not in everything
    while _try(client, "x@example.org").status_code != 429:
        pass
    for _ in range(20):  # a flood of refused attempts is one line a minute
        _try(client, "x@example.org")
    [throttled] = _events(db, "auth.login_throttled")
    assert throttled.data == {"email": "x@example.org", "limit": "address"}


def test_audit_data_cannot_forge_log_lines(db):
    from lms.core.audit import record_event

    record_event("x", actor_id=None, target_type="route", target_id=None,
                 data={"path": "/a\r\n2026-12-02 admin signed in\u2028"})
    db.session.commit()
    [event] = _events(db, "x")
    assert event.data["path"] == "/a\\u000d\\u000a2026-12-02 admin signed in\\u2028"


def test_an_attacker_cannot_keep_the_owner_out(db, app, client, limits, learner):
    """Failures from unknown browsers delay the account; the owner's own browser (where
    they signed in before) is not held back by them."""
    limits["LOGIN_LIMIT_PER_ADDRESS"] = 10_000
    owner = app.test_client()
    login(owner, learner)  # sets the device cookie
    post_form(owner, "/logout")
    for n in range(30):
        _try(client, learner.email, address=f"10.4.0.{n}")
    assert _try(app.test_client(), learner.email, PASSWORD).status_code == 429  # new browser
    assert _try(owner, learner.email, PASSWORD, address="10.5.0.1").status_code == 302
    # The device has a limit of its own: a stolen cookie cannot try many passwords.
    post_form(owner, "/logout")
    statuses = [_try(owner, learner.email, address="10.5.0.2").status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and 429 in statuses[10:]


def test_a_forged_or_foreign_device_cookie_is_ignored(db, app, client, limits, learner,
                                                     make_user):
    from lms.accounts.signin import DEVICE_COOKIE, device_cookie_for

    limits["LOGIN_LIMIT_PER_ADDRESS"] = 10_000
    for n in range(12):
        _try(client, learner.email, address=f"10.6.0.{n}")
    other = make_user("learner")
    for cookie in ("forged", device_cookie_for(other.email)):
        visitor = app.test_client()
        visitor.set_cookie(DEVICE_COOKIE, cookie)
        assert _try(visitor, learner.email, PASSWORD).status_code == 429


def test_refused_access_is_audited(db, learner_client, learner):
    assert learner_client.get("/admin/users").status_code == 403
    [event] = _events(db, "auth.access_denied")
    assert event.actor_id == learner.id
    assert event.data == {"endpoint": "accounts.admin_users", "method": "GET",
                          "path": "/admin/users"}


def test_the_audit_log_refuses_secret_fields(db):
    from lms.core.audit import record_event

    with pytest.raises(ValueError):
        record_event("x", actor_id=None, target_type="user", target_id=None,
                     data={"password": "hunter2"})


def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(app, learner):
    client = app.test_client()
    login(client, learner)
    with client.session_transaction() as session:
        session["started"] -= 12 * 3600 - 60
        session["seen"] = int(time.time())
    assert client.get("/dashboard").status_code == 200  # 11 h 59 min: still signed in
    with client.session_transaction() as session:
        session["started"] -= 120
        session["seen"] = int(time.time())  # active a moment ago
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Your sign-in has expired" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_verify_is_rate_limited_per_address(db, client, limits):
    statuses = [client.get("/verify/zzzzzzzzzzzzzzzz").status_code for _ in range(61)]
    assert statuses == [404] * 60 + [429]
    other = client.get("/verify/zzzzzzzzzzzzzzzz", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 404


def test_older_scrypt_hashes_sign_in_and_are_upgraded_to_argon2id(db, client, make_user):
    from werkzeug.security import generate_password_hash

    user = make_user(password_hash=generate_password_hash(PASSWORD, method="scrypt"))
    wrong = post_form(client, "/login", {"email": user.email, "password": PASSWORD + "x"})
    assert wrong.status_code == 401
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:")  # a failed sign-in changes nothing
    login(client, user)
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    post_form(client, "/logout")
    login(client, user)  # and the new hash takes the same password


def test_signing_in_records_when_the_person_was_last_active(client, learner):
    from lms.core.db import db
    from tests.fixtures.users import login

    assert learner.last_active_at is None
    login(client, learner)
    db.session.refresh(learner)
    assert learner.last_active_at is not None
