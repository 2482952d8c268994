"""Studio pages for tests, banks and questions: settings, the editor for all eight
types with field-level errors from the file rules, duplicate, reorder, remove."""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.content import drafts
from lms.content.course_files import to_json
from lms.content.quiz_loader import question_problems
from lms.content.references import instrument_choices, split_tag
from lms.content.studio import bp, editing
from lms.content.studio.access import editable_course
from lms.content.studio.course_views import _int
from lms.content.studio.forms import BankForm, QuizForm
from lms.content.studio.outline import Outline
from lms.content.studio.question_editor import PART_TYPES, TYPES, question_from, rows_for
from lms.core.access import roles_required
from lms.core.db import db
from lms.core.forms import ActionForm
from lms.core.unit_of_work import commit_or_flash

SETTINGS = ("title", "kind", "pass_mark", "attempts_allowed", "cooldown_minutes",
            "time_limit_minutes", "show_answers", "questions_per_page")


def _moment(text: str | None):
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return ValueError


def _draw_rules(text: str) -> list[dict] | None:
    rules = []
    for line in text.splitlines():
        words = line.replace(",", " ").split()
        if not words:
            continue
        if len(words) != 2 or not words[1].isdigit() or len(words[1]) > 4:
            return None
        rules.append({"topic": words[0], "count": int(words[1])})
    return rules


def _quiz_form(data: dict, revision: int) -> QuizForm:
    def shown(value):
        if isinstance(value, dict):
            return next(iter(value.values()))
        return value or ""

    return QuizForm(revision=revision, **{k: data[k] for k in SETTINGS if k in data},
                    available_from=shown(data.get("available_from")),
                    available_until=shown(data.get("available_until")),
                    draw="\n".join(f"{r['topic']} {r['count']}" for r in data.get("draw", [])))


def _quiz_data(form: QuizForm, before: dict) -> dict | None:
    data = {k: v for k, v in before.items() if k not in ("available_from", "available_until")}
    data.update({k: getattr(form, k).data for k in SETTINGS})
    data["title"] = data["title"].strip()
    for name in ("available_from", "available_until"):
        moment = _moment(getattr(form, name).data)
        if moment is ValueError:
            getattr(form, name).errors.append(_("Write a date such as 2027-01-10, or a "
                                                "date and time such as "
                                                "2027-01-10T08:00:00+07:00."))
            return None
        if moment is not None:
            data[name] = to_json(moment)
    rules = _draw_rules(form.draw.data or "")
    if rules is None:
        form.draw.errors.append(_("Each line needs a topic and a number, e.g. "
                                  "“legal-sources 3”."))
        return None
    data["draw"] = rules
    if not rules:
        del data["draw"]
    return data


@bp.route("/<slug>/quizzes/new", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def new_quiz(slug: str):
    course = editable_course(slug)
    form = QuizForm()
    if request.method == "POST" and form.validate_on_submit():
        key = form.key.data or editing.slug_from(form.title.data, "test")
        data = _quiz_data(form, {})
        if data is not None and commit_or_flash(lambda: editing.create_owner(
                course, "quiz", key, data, actor_id=current_user.id)).ok:
            return redirect(url_for("studio.owner", slug=slug, kind="quiz", key=key))
    return render_template("studio/quiz_settings.html", course=course, form=form,
                           key=None), 200 if request.method == "GET" else 400


@bp.route("/<slug>/quizzes/<key>/settings", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def quiz_settings(slug: str, key: str):
    course = editable_course(slug)
    item = drafts.get_item(course.id, "quiz", key)
    if item is None:
        abort(404)
    form = QuizForm() if request.method == "POST" else _quiz_form(item.data, item.revision)
    if request.method == "POST" and form.validate_on_submit():
        data = _quiz_data(form, item.data)
        if data is not None:
            try:
                if commit_or_flash(lambda: drafts.save_item(
                        course, "quiz", key, data, revision=_int(form.revision.data),
                        actor_id=current_user.id)).ok:
                    flash(_("Test settings saved in the draft."), "success")
                    return redirect(url_for("studio.owner", slug=slug, kind="quiz", key=key))
            except drafts.StaleEdit:
                db.session.rollback()
                flash(_("Someone else changed this test since you opened it. Its settings "
                        "are shown as they are now."), "error")
                return redirect(url_for("studio.quiz_settings", slug=slug, key=key))
    return render_template("studio/quiz_settings.html", course=course, form=form, key=key), \
        200 if request.method == "GET" else 400


@bp.post("/<slug>/banks")
@roles_required("instructor", "admin")
def new_bank(slug: str):
    course = editable_course(slug)
    form = BankForm()
    if not form.validate_on_submit():
        flash(_("A bank name uses lower-case letters, digits and hyphens."), "error")
        return redirect(url_for("studio.course", slug=slug) + "#tests")
    if commit_or_flash(lambda: editing.create_owner(course, "bank", form.name.data, {},
                                                    actor_id=current_user.id)).ok:
        return redirect(url_for("studio.owner", slug=slug, kind="bank", key=form.name.data))
    return redirect(url_for("studio.course", slug=slug) + "#tests")


@bp.get("/<slug>/<any(quiz, bank):kind>/<key>")
@roles_required("instructor", "admin")
def owner(slug: str, kind: str, key: str):
    course = editable_course(slug)
    outline = Outline.of(course)
    row = next((o for o in outline.owners if o.kind == kind and o.key == key), None)
    if row is None:
        abort(404)
    return render_template("studio/owner.html", course=course, owner=row, types=TYPES,
                           topics=outline.topics(), form=ActionForm())


@bp.post("/<slug>/<any(quiz, bank):kind>/<key>/remove")
@roles_required("instructor", "admin")
def remove_owner(slug: str, kind: str, key: str):
    course = editable_course(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    if commit_or_flash(lambda: editing.remove_owner(course, f"{kind}:{key}",
                                                    actor_id=current_user.id)).ok:
        return redirect(url_for("studio.course", slug=slug) + "#tests")
    return redirect(url_for("studio.owner", slug=slug, kind=kind, key=key))


def _editor(course, *, key, qtype, raw, owner, revision, problems=(), conflict=None,
            status=200):
    general = [m for f, m in problems if f is None]
    by_field = {}
    for field, message in problems:
        if field is not None:
            by_field.setdefault(field, []).append(message)
    return render_template(
        "studio/question.html", course=course, key=key, qtype=qtype, raw=raw, owner=owner,
        revision=revision, general=general, errors=by_field, conflict=conflict,
        rows_for=rows_for, part_types=PART_TYPES, instruments=instrument_choices(),
        split_tag=split_tag,
        topics=Outline.of(course).topics(), form=ActionForm()), status


@bp.route("/<slug>/<any(quiz, bank):kind>/<key>/questions/new", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def new_question(slug: str, kind: str, key: str):
    course = editable_course(slug)
    owner = f"{kind}:{key}"
    if drafts.get_item(course.id, kind, key) is None:
        abort(404)
    qtype = request.values.get("type", "")
    if qtype not in TYPES:
        abort(404)
    if request.method == "GET":
        return _editor(course, key=None, qtype=qtype, raw={"type": qtype}, owner=owner,
                       revision=None)
    if not ActionForm().validate_on_submit():
        abort(400)
    new_key = (request.form.get("key") or "").strip()
    raw = question_from(request.form, qtype, new_key)
    if request.form.get("action") != "save":  # "add a part" re-shows the form
        return _editor(course, key=None, qtype=qtype, raw=raw, owner=owner, revision=None)
    problems = question_problems(raw, topic_required=kind == "bank")
    if problems:
        return _editor(course, key=None, qtype=qtype, raw=raw, owner=owner, revision=None,
                       problems=problems, status=400)
    if not commit_or_flash(lambda: editing.add_question(course, owner, raw,
                                                        actor_id=current_user.id)).ok:
        return _editor(course, key=None, qtype=qtype, raw=raw, owner=owner, revision=None,
                       status=400)
    flash(_("Question saved in the draft."), "success")
    return redirect(url_for("studio.owner", slug=slug, kind=kind, key=key))


@bp.route("/<slug>/questions/<key>", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def question(slug: str, key: str):
    course = editable_course(slug)
    item = drafts.get_item(course.id, "question", key)
    owner = editing.owner_of(course, key)
    if item is None or owner is None:
        abort(404)
    owner_name = f"{owner.kind}:{owner.key}"
    qtype = item.data.get("type", "")
    if request.method == "GET":
        return _editor(course, key=key, qtype=qtype, raw=item.data, owner=owner_name,
                       revision=item.revision)
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = question_from(request.form, qtype, key)
    revision = _int(request.form.get("revision"))
    if request.form.get("action") != "save":
        return _editor(course, key=key, qtype=qtype, raw=raw, owner=owner_name,
                       revision=revision)
    problems = question_problems(raw, topic_required=owner.kind == "bank")
    if problems:
        return _editor(course, key=key, qtype=qtype, raw=raw, owner=owner_name,
                       revision=revision, problems=problems, status=400)
    try:
        outcome = commit_or_flash(lambda: drafts.save_item(
            course, "question", key, to_json(raw), revision=revision,
            actor_id=current_user.id))
    except drafts.StaleEdit as stale:
        db.session.rollback()
        current = stale.current
        return _editor(course, key=key, qtype=qtype, raw=raw, owner=owner_name,
                       revision=current.revision if current else None, conflict=current,
                       status=409)
    if not outcome.ok:
        return _editor(course, key=key, qtype=qtype, raw=raw, owner=owner_name,
                       revision=revision, status=400)
    flash(_("Question saved in the draft."), "success")
    return redirect(url_for("studio.owner", slug=slug, kind=owner.kind, key=owner.key))


def _question_action(slug: str, key: str, action):
    course = editable_course(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    owner = editing.owner_of(course, key)
    if owner is None:
        abort(404)
    try:
        commit_or_flash(lambda: action(course))
    except drafts.StaleEdit:
        db.session.rollback()
        flash(_("Someone else changed this list since you opened it. Here it is as it is "
                "now."), "error")
    return redirect(url_for("studio.owner", slug=slug, kind=owner.kind, key=owner.key))


@bp.post("/<slug>/questions/<key>/duplicate")
@roles_required("instructor", "admin")
def duplicate_question(slug: str, key: str):
    return _question_action(slug, key, lambda course: editing.duplicate_question(
        course, key, actor_id=current_user.id))


@bp.post("/<slug>/questions/<key>/move")
@roles_required("instructor", "admin")
def move_question(slug: str, key: str):
    editable_course(slug)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return _question_action(slug, key, lambda course: editing.move_question(
        course, key, direction, actor_id=current_user.id))


@bp.post("/<slug>/questions/<key>/remove")
@roles_required("instructor", "admin")
def remove_question(slug: str, key: str):
    revision = _int(request.form.get("revision"))
    return _question_action(slug, key, lambda course: editing.remove_question(
        course, key, revision=revision, actor_id=current_user.id))
