"""A person's private link (/participantes/<token>): confirm participation in their sessions, correct their
bio and photo. And the public photo route (by the person's public key, never the private token)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for

from foros.accounts.auth import public
from foros.agenda import people
from foros.agenda import people_bp as bp
from foros.agenda.forms import ActionForm, PhotoForm, ProfileForm
from foros.core import transaction
from foros.core.errors import DomainError

EXPIRED = "La sesión del formulario caducó; inténtelo de nuevo."
#: Photo URLs carry ?v=<when it changed>, so a browser may keep one for a week.
PHOTO_CACHE = "public, max-age=604800"


def _page(person, *, form=None, photo_form=None, status=200):
    return render_template("agenda/participant.html", person=person, form=form or ProfileForm(obj=person),
                           photo_form=photo_form or PhotoForm(), action_form=ActionForm(),
                           assignments=people.person_assignments(person)), status


def _back(token):
    return redirect(url_for("agenda_people.participant", token=token))


@bp.get("/participantes/<token>")
@public
def participant(token):
    """The person's sessions (to confirm), their bio and their photo."""
    response = _page(people.get_person_by_token(token))
    return response[0], response[1], {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


@bp.post("/participantes/<token>/confirmar/<int:assignment_id>")
@public
def participant_confirm(token, assignment_id):
    """Confirm participation in one session (again: nothing changes)."""
    person = people.get_person_by_token(token)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return _back(token)
    if people.confirm_participation(person, assignment_id):
        flash("Gracias: su participación quedó confirmada.", "success")
    else:
        flash("Su participación ya estaba confirmada.", "info")
    return _back(token)


@bp.post("/participantes/<token>/perfil")
@public
def participant_profile(token):
    """Correct cargo, institution and bio."""
    person = people.get_person_by_token(token)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            people.correct_own_profile(person, bio=form.bio.data or "", cargo=form.cargo.data or "",
                                       institution=form.institution.data or "")
        except DomainError as exc:
            transaction.discard()
            person = people.get_person_by_token(token)
            form.show_error(exc)
        else:
            flash("Datos guardados. Gracias.", "success")
            return _back(token)
    return _page(person, form=form, status=422)


@bp.post("/participantes/<token>/foto")
@public
def participant_photo(token):
    """Upload a new photo (checked by content, re-encoded, resized) or remove it."""
    person = people.get_person_by_token(token)
    photo_form = PhotoForm()
    if not photo_form.validate_on_submit():
        flash(EXPIRED, "error")
        return _back(token)
    try:
        if request.form.get("remove"):
            people.remove_photo(person, by_person=True)
        else:
            storage = photo_form.photo.data
            data = storage.read(people.PHOTO_READ_LIMIT) if storage and hasattr(storage, "read") else b""
            people.set_photo(person, data, by_person=True)
    except DomainError as exc:
        transaction.discard()
        person = people.get_person_by_token(token)
        photo_form.show_error(exc)
        return _page(person, photo_form=photo_form, status=422)
    flash("Foto quitada." if request.form.get("remove") else "Foto guardada.", "success")
    return _back(token)


@bp.get("/personas/<person_key>/foto")
@public
def photo(person_key):
    """A person's photo, as stored (re-encoded), with its content type and a cache header."""
    person = people.get_person_by_key(person_key)
    if not person.has_photo or person.photo is None:
        abort(404)
    response = Response(person.photo, mimetype=person.photo_content_type)
    response.headers["Cache-Control"] = PHOTO_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
