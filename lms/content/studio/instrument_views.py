"""The legal instruments questions may cite: the shipped list, and those admins add."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from lms.content.references import CITES, NAME, LegalInstrument, known_instruments
from lms.content.studio import bp
from lms.core.access import roles_required
from lms.core.audit import record_event
from lms.core.db import db
from lms.core.errors import DomainError
from lms.core.unit_of_work import commit_or_flash


class InstrumentForm(FlaskForm):
    name = StringField(_l("Short name, as tags begin"), validators=[
        DataRequired(), Length(max=80),
        Regexp(NAME.pattern, message=_l("Letters, digits, spaces and . ' ( ) & / - only."))],
        description=_l("For example “CEDAW” or “ILO Forced Labour Protocol 2014”."))
    title = StringField(_l("Full title and year"), validators=[DataRequired(),
                                                               Length(max=300)])
    cites = SelectMultipleField(_l("Parts a tag may cite (none: the name alone)"),
                                choices=[(c, c) for c in CITES])


def add_instrument(name: str, title: str, cites: list[str], actor_id: int) -> LegalInstrument:
    if any(i.name == name for i in known_instruments()):
        raise DomainError(_("“%(name)s” is known already.", name=name))
    row = LegalInstrument(name=name, title=title, cites=[c for c in CITES if c in cites],
                          created_by_id=actor_id)
    db.session.add(row)
    db.session.flush()
    record_event("instrument.added", actor_id=actor_id, target_type="legal_instrument",
                 target_id=row.id, data={"name": name, "cites": row.cites})
    return row


@bp.get("/instruments")
@roles_required("instructor", "admin")
def instruments():
    return render_template("studio/instruments.html", instruments=known_instruments(),
                           form=InstrumentForm(), course=None)


@bp.post("/instruments")
@roles_required("admin")
def add_instrument_view():
    form = InstrumentForm()
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        exists = db.session.scalar(sa.select(LegalInstrument.id).where(
            LegalInstrument.name == name))
        if exists is None and commit_or_flash(lambda: add_instrument(
                name, form.title.data.strip(), form.cites.data, current_user.id)).ok:
            flash(_("Questions can now cite %(name)s.", name=name), "success")
            return redirect(url_for("studio.instruments"))
        if exists is not None:
            form.name.errors.append(_("“%(name)s” is known already.", name=name))
    return render_template("studio/instruments.html", instruments=known_instruments(),
                           form=form, course=None), 400
