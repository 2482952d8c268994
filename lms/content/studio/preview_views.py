"""Previews for staff: a draft question exactly as a learner sees it, with "check my
answer" grading, and the course read as a learner would, without enrolling."""
from __future__ import annotations

import random

from flask import abort, render_template, request
from flask_login import current_user

from lms.assessment.qtypes import REGISTRY, get_type
from lms.assessment.qtypes.base import InvalidAnswer
from lms.assessment.services import group_fields
from lms.catalog.models import Course
from lms.content import drafts, versions
from lms.content.course_files import from_json, items_from_files
from lms.content.quiz_loader import question_problems
from lms.content.studio import bp
from lms.content.studio.access import course_for
from lms.core.access import roles_required
from lms.core.forms import ActionForm
from lms.core.markdown import render_markdown

NAME = "q-0"  # the preview's one question


def _draft_items(course: Course) -> dict:
    """What a preview shows: the draft of a studio course, else the published files."""
    if course.source == "studio" and drafts.has_draft(course.id):
        return {key: row.data for key, row in drafts.items_of(course.id).items()}
    latest = versions.latest_version(course.id)
    if latest is None:
        abort(404)
    return items_from_files(latest.files)


@bp.route("/<slug>/questions/<key>/preview", methods=["GET", "POST"])
@roles_required("instructor", "admin")
def preview_question(slug: str, key: str):
    course = course_for(slug)
    raw = from_json(_draft_items(course).get(("question", key)))
    if raw is None:
        abort(404)
    problems = question_problems(raw)
    if problems:
        return render_template("studio/preview_question.html", course=course, key=key,
                               problems=[m for _f, m in problems], item=None), 200
    qtype = get_type(raw["type"])
    spec = REGISTRY[raw["type"]].build_spec(raw)
    # One fixed shuffle per question, so the checked answer matches the shown order.
    order = qtype.draw(spec, random.Random(key))
    item = {"question": {"prompt": raw["prompt"]}, "number": 1, "name": NAME,
            "template": qtype.template, "saved": {}, "view": qtype.present(spec, order)}
    review = score = None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        fields = group_fields(request.form.to_dict(flat=False)).get("0", {})
        try:
            response = qtype.parse(spec, fields, order)
        except InvalidAnswer:
            abort(400)
        item["saved"] = response
        score = qtype.grade(spec, response)
        review = qtype.review(spec, response, True)
    return render_template("studio/preview_question.html", course=course, key=key, raw=raw,
                           item=item, review=review, score=score, problems=[],
                           form=ActionForm())


def _lessons(items: dict) -> list[tuple[str, dict]]:
    course = items.get(("course", ""), {})
    return [(slug, items[("lesson", slug)]) for module in course.get("modules", [])
            for slug in module.get("lessons", []) if ("lesson", slug) in items]


@bp.get("/<slug>/preview")
@roles_required("instructor", "admin")
def preview_course(slug: str):
    course = course_for(slug)
    items = _draft_items(course)
    return render_template("studio/preview_course.html", course=course,
                           settings=items.get(("course", ""), {}),
                           lessons={s: d for s, d in _lessons(items)},
                           from_draft=course.source == "studio",
                           viewer=current_user)


@bp.get("/<slug>/preview/lessons/<lesson>")
@roles_required("instructor", "admin")
def preview_lesson(slug: str, lesson: str):
    course = course_for(slug)
    sequence = _lessons(_draft_items(course))
    slugs = [s for s, _d in sequence]
    if lesson not in slugs:
        abort(404)
    index = slugs.index(lesson)
    data = sequence[index][1]
    return render_template(
        "studio/preview_lesson.html", course=course, slug=lesson,
        header=data.get("header", {}), body_html=render_markdown(data.get("body", "")),
        previous=slugs[index - 1] if index else None,
        following=slugs[index + 1] if index + 1 < len(slugs) else None,
        position=index + 1, count=len(slugs))
