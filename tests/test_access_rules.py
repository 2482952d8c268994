"""Deny by default: every route states who may call it, and roles are enforced."""
from __future__ import annotations

import pytest

from lms.core.access import rule_for
from tests.fixtures.users import login

# Every route with the rule it must carry. A new route fails this test until it is listed.
EXPECTED = {
    "accounts.register": "public", "accounts.login": "public", "accounts.logout": "login",
    "accounts.set_language": "public", "accounts.admin_users": {"admin"},
    "accounts.admin_change_role": {"admin"}, "accounts.settings": "login",
    "catalog.index": "public", "catalog.teach": {"instructor", "admin"},
    "catalog.references": "public", "catalog.glossary": "public", "catalog.support": "public",
    "catalog.admin_support": {"admin"}, "catalog.admin_support_delete": {"admin"},
    "learning.course": "public", "learning.enrol": "login", "learning.lesson": "login",
    "learning.complete": "login", "learning.dashboard": "login",
    "learning.feedback": "login", "learning.follow_up": "login",
    "learning.follow_up_by_link": "public",
    "assessment.quiz": "login", "assessment.start": "login", "assessment.attempt": "login",
    "assessment.result": "login", "assessment.save": "login", "assessment.autosave": "login",
    "assessment.quiz_report": {"instructor", "admin"},
    "assessment.regrade_quiz": {"instructor", "admin"},
    "assessment.check_quiz": {"instructor", "admin"},
    "certification.admin_index": {"admin"}, "certification.admin_issue": {"admin"},
    "certification.admin_ready": {"admin"},
    "certification.admin_issue_all": {"admin"}, "certification.admin_revoke": {"admin"},
    "certification.admin_resolve_flag": {"admin"}, "certification.admin_reissue": {"admin"},
    "jobs.job": "login",
    "certification.mine": "login", "certification.download": "login",
    "certification.verify": "public",
    "certification.credential_json": "login", "certification.credential_jwt": "login",
    "certification.issuer": "public", "certification.jwks": "public",
    "certification.status_list": "public", "certification.verify_credential": "public",
    "certification.verify_upload": "public",
    "certification.admin_email_all": {"admin"}, "certification.admin_issue_cohort": {"admin"},
    "certification.admin_signer_remove": {"admin"}, "certification.admin_signers": {"admin"},
    "certification.admin_zip": {"admin"},
    "health.healthz": "public", "static": "public",
    # The studio: instructors and admins; each view then checks the course's staff role.
    "assessment.gradebook": {"admin", "instructor"},
    "assessment.gradebook_csv": {"admin", "instructor"},
    "assessment.gradebook_learner": {"admin", "instructor"},
    "assessment.staff_attempt": {"admin", "instructor"},
    "catalog.media": "public",
    "studio.add_instrument_view": {"admin"},
    "studio.add_lesson": {"admin", "instructor"},
    "studio.add_module": {"admin", "instructor"},
    "studio.apply_import": {"admin", "instructor"},
    "studio.apply_question_import": {"admin", "instructor"},
    "studio.compare": {"admin", "instructor"},
    "studio.course": {"admin", "instructor"},
    "studio.duplicate_question": {"admin", "instructor"},
    "studio.export_questions": {"admin", "instructor"},
    "studio.export_zip": {"admin", "instructor"},
    "studio.import_course": {"admin", "instructor"},
    "studio.import_draft": {"admin", "instructor"},
    "studio.import_questions": {"admin", "instructor"},
    "studio.index": {"admin", "instructor"},
    "studio.instruments": {"admin", "instructor"},
    "studio.lesson": {"admin", "instructor"},
    "studio.move_lesson": {"admin", "instructor"},
    "studio.move_module": {"admin", "instructor"},
    "studio.move_question": {"admin", "instructor"},
    "studio.new_bank": {"admin", "instructor"},
    "studio.new_course": {"admin", "instructor"},
    "studio.new_question": {"admin", "instructor"},
    "studio.new_quiz": {"admin", "instructor"},
    "studio.owner": {"admin", "instructor"},
    "studio.preview_course": {"admin", "instructor"},
    "studio.preview_lesson": {"admin", "instructor"},
    "studio.preview_question": {"admin", "instructor"},
    "studio.publish_course": {"admin", "instructor"},
    "studio.question": {"admin", "instructor"},
    "studio.quiz_settings": {"admin", "instructor"},
    "studio.remove_lesson": {"admin", "instructor"},
    "studio.remove_module": {"admin", "instructor"},
    "studio.remove_owner": {"admin", "instructor"},
    "studio.remove_question": {"admin", "instructor"},
    "studio.rename_module": {"admin", "instructor"},
    "studio.rollback": {"admin", "instructor"},
    "studio.settings": {"admin", "instructor"},
    "studio.staff": {"admin", "instructor"},
    "studio.take_over": {"admin", "instructor"},
    "studio.upload_image": {"admin", "instructor"},
    "studio.versions_list": {"admin", "instructor"},
    "studio.translations": {"admin", "instructor"},
    "studio.translation_edit": {"admin", "instructor"},
    # Running a programme: mail, accounts, tracking and reminders.
    "outbox.index": {"admin"}, "outbox.message": {"admin"},
    "accounts.register_sent": "public", "accounts.confirm_registration": "public",
    "accounts.admin_registration": {"admin"}, "accounts.admin_approve": {"admin"},
    "accounts.admin_refuse": {"admin"},
    "accounts.edit_profile": "login", "accounts.change_password": "login",
    "accounts.change_email": "login", "accounts.confirm_email": "public",
    "accounts.forgot_password": "public", "accounts.reset_sent": "public",
    "accounts.reset_password": "public",
    "reporting.cohorts": {"admin", "instructor"}, "reporting.cohort": {"admin", "instructor"},
    "reporting.course_tracking": {"admin", "instructor"},
    "reporting.tracking_csv": {"admin", "instructor"},
    "reporting.tracking_xlsx": {"admin", "instructor"},
    "reporting.send_reminder": {"admin", "instructor"},
    "reporting.cancel_reminder": {"admin", "instructor"},
    "reporting.reminder_settings": "login", "reporting.reminders_off": "public",
    "reporting.me_report": {"admin", "me_officer"}, "reporting.me_help": {"admin", "me_officer"},
    "reporting.me_export": {"admin", "me_officer"}, "reporting.me_extract": {"admin"},
    "reporting.me_quarterly": {"admin", "me_officer"},
    "accounts.admin_edit_person": {"admin"}, "accounts.admin_deactivate_person": {"admin"},
    "accounts.admin_reactivate_person": {"admin"}, "accounts.admin_audit": {"admin"},
    "accounts.admin_audit_csv": {"admin"}, "certification.admin_person": {"admin"},
    "accounts.accept_invitation": "public",
    "accounts.admin_invitations": {"admin"}, "accounts.admin_resend_invitation": {"admin"},
    "learning.cohorts": {"instructor", "admin"}, "learning.cohort": {"instructor", "admin"},
    "learning.new_cohort": {"admin"}, "learning.edit_cohort": {"admin"},
    "learning.add_cohort_member": {"admin"}, "learning.remove_cohort_member": {"admin"},
    "learning.cohort_invitations": {"admin"}, "learning.cohort_import": {"admin"},
    "learning.cohort_import_preview": {"admin"}, "learning.cohort_import_confirm": {"admin"},
}


def _describe(rule):
    kind, roles = rule
    return set(roles) if roles else kind


def test_every_route_has_an_explicit_rule(app):
    with app.test_request_context():
        found = {r.endpoint: _describe(rule_for(r.endpoint)) if rule_for(r.endpoint) else None
                 for r in app.url_map.iter_rules()}
    missing = [endpoint for endpoint, rule in found.items() if rule is None]
    assert not missing, f"routes without an access rule: {missing}"
    assert found == EXPECTED


def test_a_route_without_rule_is_refused(app):
    from flask import Flask

    from lms.core import access

    bare = Flask("bare")
    bare.config["SECRET_KEY"] = "x"
    from lms.core.extensions import login_manager
    login_manager.init_app(bare)
    access.init_app(bare)
    bare.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert bare.test_client().get("/forgotten").status_code == 403


SAMPLE_URLS = {
    # url: minimum role (None = public, "login" = any signed-in user)
    "/": None, "/register": None, "/healthz": None,
    "/dashboard": "login", "/certificates": "login",
    "/teach/": "instructor", "/admin/users": "admin", "/admin/certificates": "admin",
    "/glossary": None, "/support": None, "/admin/support": "admin",
}
ORDER = {None: 0, "login": 1, "learner": 1, "instructor": 2, "admin": 3}


@pytest.mark.parametrize("role", [None, "learner", "instructor", "admin"])
def test_role_matrix(app, make_user, role):
    client = app.test_client()
    if role:
        login(client, make_user(role))
    for url, needed in SAMPLE_URLS.items():
        response = client.get(url)
        if needed is None or (role and ORDER[role] >= ORDER[needed]):
            assert response.status_code in (200, 302), (role, url, response.status_code)
            if response.status_code == 302:
                assert "/login" not in response.headers["Location"], (role, url)
        elif role is None:
            assert response.status_code == 302, (url, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == 403, (role, url, response.status_code)


@pytest.mark.parametrize("url", ["/admin/certificates/issue", "/admin/certificates/1/revoke",
                                 "/admin/users/1/role", "/admin/courses/x/certificates/issue-all"])
def test_learner_cannot_post_to_admin_actions(learner_client, url):
    from tests.fixtures.app import post_form

    assert post_form(learner_client, url, {"enrolment_id": "1", "reason": "x",
                                           "role": "admin"}).status_code == 403
