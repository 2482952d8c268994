"""Studio pages for a whole course: the list, a new course, its overview and settings,
taking a file course over, and its staff."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import User
from lms.accounts.permissions import has_role
from lms.accounts.services import normalise_email
from lms.catalog import services as catalog_services
from lms.catalog.models import Course, CourseStaff
from lms.catalog.permissions import can_manage_staff, can_publish_course, taught_course_ids
from lms.catalog.translations import stale_counts
from lms.content import drafts, publish, surveys, versions
from lms.content.certificate_settings import KEYS as CERTIFICATE_KEYS
from lms.content.certificate_settings import check_renews_target
from lms.content.course_files import to_json
from lms.content.studio import bp
from lms.content.studio.access import NotInStudio, course_for, editable_course, not_in_studio
from lms.content.studio.forms import CourseSettingsForm, NewCourseForm, PublishForm, StaffForm
from lms.content.studio.outline import Outline
from lms.content.study_time import study_time
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash

bp.register_error_handler(NotInStudio, not_in_studio)


@bp.get("/")
@roles_required("instructor", "admin")
def index():
    taught = taught_course_ids(current_user)
    query = sa.select(Course).order_by(Course.title)
    if taught is not None:
        query = query.where(Course.id.in_(taught))
    return render_template("studio/index.html", courses=db.session.scalars(query).all(),
                           form=NewCourseForm())


@bp.post("/new")
@roles_required("instructor", "admin")
def new_course():
    form = NewCourseForm()
    if not form.validate_on_submit():
        return render_template("studio/index.html", courses=[], form=form), 400
    owner = current_user
    if form.owner_email.data and has_role(current_user, "admin"):
        owner = db.session.scalar(sa.select(User).where(
            User.email == normalise_email(form.owner_email.data)))
        if owner is None or owner.role not in ("instructor", "admin") or not owner.active:
            form.owner_email.errors.append(_("No active instructor has this email."))
            return render_template("studio/index.html", courses=[], form=form), 400
    outcome = commit_or_flash(lambda: publish.create_course(
        form.slug.data, form.title.data.strip(), owner_id=owner.id, actor_id=current_user.id,
        ip=request.remote_addr))
    if not outcome.ok:
        return render_template("studio/index.html", courses=[], form=form), 400
    flash(_("Course created. Write its summary and first lesson, then publish it."), "success")
    return redirect(url_for("studio.course", slug=form.slug.data))


@bp.get("/<slug>/")
@roles_required("instructor", "admin")
def course(slug: str):
    course = course_for(slug)
    outline = Outline.of(course) if course.source == "studio" else None
    check = drafts.check_draft(course) if outline is not None else None
    latest = versions.latest_version(course.id)
    pending = None
    if outline is not None and latest is not None:
        pending = versions.compare(latest.files, drafts.draft_files(course.id))
    item = drafts.get_item(course.id, "course") if outline is not None else None
    return render_template("studio/course.html", course=course, outline=outline,
                           check=check, latest=latest, pending=pending,
                           course_revision=item.revision if item else None,
                           draft_title=item.data.get("title") if item else None,
                           stale=stale_counts(course.id),
                           publish_form=PublishForm(), form=ActionForm())


def _settings_form(item) -> CourseSettingsForm:
    data = item.data
    references = drafts.get_item(item.course_id, "references")
    return CourseSettingsForm(
        revision=item.revision, references_revision=references.revision if references else "",
        title=data.get("title", ""), summary=data.get("summary", ""),
        audience=data.get("audience", ""), objectives="\n".join(data.get("objectives", [])),
        cpd_hours=data.get("cpd_hours"), language=data.get("language", "en"),
        references=references.data.get("text", "") if references else "",
        **{f"feedback_{key}": value for key, value in surveys.texts_of(
            data.get("feedback") if isinstance(data.get("feedback"), dict) else {}).items()},
        **{f"certificate_{key}": value for key, value in (
            data.get("certificate") if isinstance(data.get("certificate"), dict) else {}
        ).items() if key in CERTIFICATE_KEYS})


def _with_certificate(data: dict, form: CourseSettingsForm, course_slug: str) -> dict:
    """The course item with its [certificate] table from the form (left out when empty)."""
    values = {key: getattr(form, f"certificate_{key}").data for key in CERTIFICATE_KEYS}
    table = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()
             if v not in (None, "")}
    check_renews_target(course_slug, table.get("renews"))
    data = {k: v for k, v in data.items() if k != "certificate"}
    return {**data, "certificate": table} if table else data


def _with_feedback(data: dict, form: CourseSettingsForm) -> dict:
    """The course item with its [feedback] table from the form (left out when empty)."""
    table = surveys.table_of({key: getattr(form, f"feedback_{key}").data
                              for key in surveys.KEYS})
    data = {k: v for k, v in data.items() if k != "feedback"}
    return {**data, "feedback": table} if table else data


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def settings(slug: str):
    course = editable_course(slug)
    item = drafts.get_item(course.id, "course")
    form = CourseSettingsForm() if request.method == "POST" else _settings_form(item)
    check = drafts.check_draft(course)
    hours = study_time(check.spec).computed_hours if check.spec else None
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("studio/settings.html", course=course, form=form,
                               hours=hours, conflict=None, defaults=surveys.DEFAULTS), \
            200 if request.method == "GET" else 400

    def save():
        data = {**item.data, "title": form.title.data.strip(),
                "summary": form.summary.data.strip(), "audience": form.audience.data.strip(),
                "objectives": [line.strip() for line in form.objectives.data.splitlines()
                               if line.strip()],
                "cpd_hours": float(form.cpd_hours.data), "language": form.language.data}
        data = _with_certificate(_with_feedback(data, form), form, course.slug)
        drafts.save_item(course, "course", "", to_json(data),
                         revision=_int(form.revision.data), actor_id=current_user.id)
        references = drafts.get_item(course.id, "references")
        text = {"text": form.references.data.strip()}
        if references is None:
            drafts.save_item(course, "references", "", text, revision=None,
                             actor_id=current_user.id)
        elif references.data != text:
            drafts.save_item(course, "references", "", text,
                             revision=_int(form.references_revision.data),
                             actor_id=current_user.id)

    try:
        outcome = commit_or_flash(save)
    except drafts.StaleEdit as stale:
        db.session.rollback()
        current = stale.current
        form.revision.data = current.revision if current else ""
        return render_template("studio/settings.html", course=course, form=form,
                               hours=hours, conflict=current, defaults=surveys.DEFAULTS), 409
    if not outcome.ok:
        return render_template("studio/settings.html", course=course, form=form,
                               hours=hours, conflict=None, defaults=surveys.DEFAULTS), 400
    flash(_("Saved in the draft. Learners see it once the course is published."), "success")
    return redirect(url_for("studio.course", slug=slug))


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else -1


@bp.post("/<slug>/take-over")
@roles_required("instructor", "admin")
def take_over(slug: str):
    course = course_for(slug, can_publish_course)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    latest = versions.latest_version(course.id)
    if latest is None:
        flash(_("This course has no published files to start from: run `flask courses "
                "sync` once."), "error")
        return redirect(url_for("studio.course", slug=slug))
    if commit_or_flash(lambda: publish.take_over(course, latest.files, actor_id=current_user.id,
                                                 ip=request.remote_addr)).ok:
        flash(_("The studio now holds this course: `courses sync` leaves it alone."),
              "success")
    return redirect(url_for("studio.course", slug=slug))


@bp.route("/<slug>/staff", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def staff(slug: str):
    course = course_for(slug)
    form = StaffForm()
    if request.method == "POST":
        if not can_manage_staff(current_user, course):
            abort(403)
        if form.validate_on_submit():
            person = db.session.scalar(sa.select(User).where(
                User.email == normalise_email(form.email.data)))
            if person is None:
                form.email.errors.append(_("No one has this email."))
            else:
                action = (lambda: catalog_services.remove_staff(course, person,
                                                                actor_id=current_user.id)) \
                    if request.form.get("action") == "remove" else \
                    (lambda: catalog_services.set_staff_role(course, person, form.role.data,
                                                             actor_id=current_user.id))
                if commit_or_flash(action).ok:
                    flash(_("Course staff updated."), "success")
                    return redirect(url_for("studio.staff", slug=slug))
    members = db.session.execute(
        sa.select(User, CourseStaff.role).join(CourseStaff, CourseStaff.user_id == User.id)
        .where(CourseStaff.course_id == course.id).order_by(User.name)).all()
    return render_template("studio/staff.html", course=course, form=form, members=members,
                           may_manage=can_manage_staff(current_user, course)), \
        400 if form.errors else 200
