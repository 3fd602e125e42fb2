"""Organizer pages of the programme's draft: sessions by day, rooms, session types, people and who is on
each session, a session's own door list. Each view loads (404), checks access (decorator), calls one service."""

from itertools import groupby

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required
from foros.agenda import bp, people, sessions
from foros.agenda.conflicts import session_conflicts
from foros.agenda.forms import (
    ROLE_CHOICES,
    ActionForm,
    AssignForm,
    AssignmentForm,
    PersonForm,
    PhotoForm,
    RoomForm,
    SessionForm,
    SessionTypeForm,
)
from foros.agenda.models import SessionStatus, SessionType
from foros.core import transaction
from foros.core.errors import DomainError, NotFound
from foros.core.time import to_local
from foros.events.services import get_event
from foros.extensions import db

EXPIRED = "La sesión del formulario caducó; inténtelo de nuevo."


def _programme_url(event):
    return url_for("agenda.manage_programme", slug=event.slug)


def _session_url(event, session):
    return url_for("agenda.manage_session", slug=event.slug, session_id=session.id)


def _flash_warnings(warnings) -> None:
    for warning in warnings:
        flash(f"Aviso: {warning}", "warning")


# --- The programme ------------------------------------------------------------------------------------------


@bp.get("/gestion/eventos/<slug>/programa")
@organizer_required
def manage_programme(slug):
    """The draft programme by day: sessions with time, room, people and who has confirmed."""
    event = get_event(slug)
    rows = sessions.event_sessions(event)
    by_day = [(day, list(items)) for day, items in groupby(rows, key=lambda s: to_local(s.starts_at).date())]
    event_days = {d.day for d in event.days}
    return render_template("agenda/manage/programme.html", event=event, by_day=by_day, event_days=event_days,
                           action_form=ActionForm())


@bp.route("/gestion/eventos/<slug>/programa/sesiones/nueva", methods=["GET", "POST"])
@organizer_required
def manage_session_new(slug):
    """Add a session; its conflict warnings are shown after saving (they never block)."""
    event = get_event(slug)
    form = SessionForm()
    if request.method == "GET" and event.days:
        form.day.data = event.days[0].day
    form.set_choices(sessions.session_types(active_only=True), sessions.event_rooms(event))
    if form.validate_on_submit():
        try:
            session, warnings = sessions.save_session(event, form.to_input(), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            form.show_error(exc)
        else:
            flash("Sesión guardada.", "success")
            _flash_warnings(warnings)
            return redirect(_session_url(event, session))
    return render_template("agenda/manage/session_form.html", event=event, form=form, session=None), \
        422 if form.is_submitted() else 200


@bp.route("/gestion/eventos/<slug>/programa/sesiones/<int:session_id>", methods=["GET", "POST"])
@organizer_required
def manage_session(slug, session_id):
    """Edit a session; its people (role, order, confirmation), its door list and its current warnings."""
    event = get_event(slug)
    session = sessions.get_session(event, session_id)
    types = [t for t in sessions.session_types() if t.is_active or t.id == session.type_id]
    form = SessionForm() if request.method == "POST" else SessionForm(obj=sessions.session_form_input(session))
    form.set_choices(types, sessions.event_rooms(event))
    if form.validate_on_submit():
        try:
            session, warnings = sessions.save_session(event, form.to_input(), session=session,
                                                      actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            session = sessions.get_session(event, session_id)
            form.show_error(exc)
        else:
            flash("Cambios guardados.", "success")
            _flash_warnings(warnings)
            return redirect(_session_url(event, session))
    status = 422 if form.is_submitted() else 200
    return _render_session(event, session, form, status=status)


def _render_session(event, session, form, *, assign_form=None, status=200):
    query = request.args.get("q", "")[:100] if request.method == "GET" else ""
    found = people.search_people(query) if query.strip() else []
    return render_template(
        "agenda/manage/session_form.html", event=event, form=form, session=session,
        warnings=session_conflicts(session), assign_form=assign_form or AssignForm(), query=query, found=found,
        role_choices=ROLE_CHOICES, action_form=ActionForm()), status


@bp.post("/gestion/eventos/<slug>/programa/sesiones/<int:session_id>/estado")
@organizer_required
def manage_session_status(slug, session_id):
    """Cancel a session (it stays in the programme, marked cancelled) or restore it."""
    event = get_event(slug)
    session = sessions.get_session(event, session_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        cancel = request.form.get("status") == SessionStatus.CANCELLED.value
        sessions.set_session_status(session, SessionStatus.CANCELLED if cancel else SessionStatus.ACTIVE,
                                    actor=current_user)
        flash("Sesión cancelada." if cancel else "Sesión restablecida.", "success")
    return redirect(_session_url(event, session))


@bp.post("/gestion/eventos/<slug>/programa/sesiones/<int:session_id>/lista")
@organizer_required
def manage_session_list(slug, session_id):
    """Abrir lista de acceso para esta sesión: it then appears at the door."""
    event = get_event(slug)
    session = sessions.get_session(event, session_id)
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
        return redirect(_session_url(event, session))
    try:
        checkin_list = sessions.open_session_list(session, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message if not exc.fields else " ".join(m for ms in exc.fields.values() for m in ms), "error")
    else:
        flash(f"Lista de acceso «{checkin_list.name}» abierta; ya aparece en la puerta.", "success")
    return redirect(url_for("agenda.manage_session", slug=slug, session_id=session_id))


# --- People on a session ------------------------------------------------------------------------------------


@bp.post("/gestion/eventos/<slug>/programa/sesiones/<int:session_id>/personas")
@organizer_required
def manage_session_assign(slug, session_id):
    """Put a person (searched or just created) on the session with a role."""
    event = get_event(slug)
    session = sessions.get_session(event, session_id)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            person = people.get_person(form.person_id.data)
            people.assign_person(session, person, form.role.data, actor=current_user)
            db.session.refresh(session, ["people"])
            warnings = session_conflicts(session)
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
        else:
            flash(f"{person.name} agregada(o) a la sesión.", "success")
            _flash_warnings(warnings)
    else:
        flash("Elija a una persona y su papel.", "error")
    return redirect(_session_url(event, session) + "#personas")


@bp.post("/gestion/eventos/<slug>/programa/sesiones/<int:session_id>/personas/<int:assignment_id>")
@organizer_required
def manage_assignment(slug, session_id, assignment_id):
    """Change a person's role and order on the session, or take them off it."""
    event = get_event(slug)
    session = sessions.get_session(event, session_id)
    assignment = people.get_assignment(session, assignment_id)
    form = AssignmentForm()
    if request.form.get("remove"):
        if ActionForm().validate_on_submit():
            name = assignment.person.name
            people.remove_assignment(assignment, actor=current_user)
            flash(f"{name} ya no está en la sesión.", "success")
        else:
            flash(EXPIRED, "error")
    elif form.validate_on_submit():
        people.update_assignment(assignment, role=form.role.data, position=form.position.data,
                                 actor=current_user)
        flash("Papel y orden guardados.", "success")
    else:
        flash("Revise el papel y el orden (un número entre 0 y 1000).", "error")
    return redirect(_session_url(event, session) + "#personas")


# --- Rooms and types ----------------------------------------------------------------------------------------


@bp.route("/gestion/eventos/<slug>/programa/salas", methods=["GET", "POST"])
@organizer_required
def manage_rooms(slug):
    """The event's rooms and its venue's; add one."""
    event = get_event(slug)
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = sessions.create_room(event, name=form.name.data, capacity=form.capacity.data,
                                        for_venue=form.for_venue.data, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            form.show_error(exc)
        else:
            flash(f"Sala «{room.name}» agregada.", "success")
            return redirect(url_for("agenda.manage_rooms", slug=event.slug))
    return render_template("agenda/manage/rooms.html", event=event, form=form, rooms=sessions.event_rooms(event),
                           action_form=ActionForm()), 422 if form.is_submitted() else 200


@bp.post("/gestion/eventos/<slug>/programa/salas/<int:room_id>/borrar")
@organizer_required
def manage_room_delete(slug, room_id):
    """Remove one of the event's rooms."""
    event = get_event(slug)
    room = next((r for r in sessions.event_rooms(event) if r.id == room_id), None)
    if room is None:
        raise NotFound("not_found", "No encontramos esa sala.")
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        try:
            sessions.delete_room(event, room, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            flash(exc.message, "error")
        else:
            flash("Sala borrada; sus sesiones quedaron sin sala.", "success")
    return redirect(url_for("agenda.manage_rooms", slug=slug))


@bp.route("/gestion/programa/tipos", methods=["GET", "POST"])
@organizer_required
def manage_types():
    """The installation's session types: add one, retire or offer again."""
    form = SessionTypeForm()
    if form.validate_on_submit():
        try:
            session_type = sessions.create_session_type(form.name.data, actor=current_user)
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            flash(f"Tipo «{session_type.name}» agregado.", "success")
            return redirect(url_for("agenda.manage_types"))
    return render_template("agenda/manage/types.html", form=form, types=sessions.session_types(),
                           action_form=ActionForm()), 422 if form.is_submitted() else 200


@bp.post("/gestion/programa/tipos/<int:type_id>")
@organizer_required
def manage_type_toggle(type_id):
    """Retire a type or offer it again."""
    session_type = db.session.get(SessionType, type_id)
    if session_type is None:
        raise NotFound("not_found", "No encontramos ese tipo de sesión.")
    if not ActionForm().validate_on_submit():
        flash(EXPIRED, "error")
    else:
        active = request.form.get("active") == "1"
        sessions.set_session_type_active(session_type, active, actor=current_user)
        flash(f"«{session_type.name}» " + ("se ofrece de nuevo." if active else "ya no se ofrece."), "success")
    return redirect(url_for("agenda.manage_types"))


# --- People -------------------------------------------------------------------------------------------------


@bp.route("/gestion/eventos/<slug>/programa/personas", methods=["GET", "POST"])
@organizer_required
def manage_people(slug):
    """The event's people with their confirmations; search everyone kept (to reuse them); create a person."""
    event = get_event(slug)
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = people.save_person(form.to_input(), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            form.show_error(exc)
        else:
            flash(f"{person.name} quedó registrada(o); agréguela(o) a una sesión desde la sesión.", "success")
            return redirect(url_for("agenda.manage_people", slug=event.slug))
    query = request.args.get("q", "")[:100]
    rows = [(sp, s) for s in sessions.event_sessions(event) for sp in s.people]
    return render_template("agenda/manage/people.html", event=event, form=form, rows=rows, query=query,
                           found=people.search_people(query) if query.strip() else []), \
        422 if form.is_submitted() else 200


@bp.route("/gestion/eventos/<slug>/programa/personas/<int:person_id>", methods=["GET", "POST"])
@organizer_required
def manage_person(slug, person_id):
    """Correct a person (shared across events), see their private link, change their photo."""
    event = get_event(slug)
    person = people.get_person(person_id)
    form = PersonForm() if request.method == "POST" and "name" in request.form else PersonForm(obj=person)
    photo_form = PhotoForm()
    status = 200
    if request.method == "POST" and "name" in request.form:
        if form.validate_on_submit():
            try:
                people.save_person(form.to_input(), person=person, actor=current_user)
            except DomainError as exc:
                transaction.discard()
                person = people.get_person(person_id)
                form.show_error(exc)
            else:
                flash("Datos guardados.", "success")
                return redirect(url_for("agenda.manage_person", slug=slug, person_id=person_id))
        status = 422
    elif request.method == "POST":
        if not photo_form.validate_on_submit():
            flash(EXPIRED, "error")
            return redirect(url_for("agenda.manage_person", slug=slug, person_id=person_id))
        try:
            if request.form.get("remove"):
                people.remove_photo(person, actor=current_user)
            else:
                people.set_photo(person, _upload(photo_form), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            person = people.get_person(person_id)
            photo_form.show_error(exc)
            status = 422
        else:
            flash("Foto guardada." if not request.form.get("remove") else "Foto quitada.", "success")
            return redirect(url_for("agenda.manage_person", slug=slug, person_id=person_id))
    return render_template("agenda/manage/person.html", event=event, person=person, form=form,
                           photo_form=photo_form, assignments=people.person_assignments(person)), status


def _upload(photo_form) -> bytes:
    """The uploaded file's bytes, read up to one byte past the limit (the service refuses anything larger)."""
    storage = photo_form.photo.data
    if not storage or not hasattr(storage, "read"):
        return b""
    return storage.read(people.PHOTO_READ_LIMIT)
