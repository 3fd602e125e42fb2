"""The door (staff): pick a list, scan with a camera or a keyboard-wedge scanner, search and admit by hand,
undo, register walk-ins. The organizer's live attendance dashboard and extra lists.

Staff see only name, organization, sector and status: never e-mail or phone (pages and JSON alike).
"""

from datetime import datetime

import marshmallow as ma
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from limits import parse as parse_limit

from foros.accounts.auth import organizer_required, staff_required
from foros.checkin import bp, services
from foros.checkin.forms import CheckinListForm, WalkInForm
from foros.checkin.models import Checkin, ScanResult
from foros.checkin.scan import ScanInput, admit_registration, check_in, scan_ticket
from foros.checkin.schemas import DoorScanSchema
from foros.core import transaction
from foros.core.api import UNSTORABLE_MESSAGE, has_unstorable_text
from foros.core.errors import DomainError, NotFound, json_error
from foros.core.formatting import fmt_time
from foros.core.municipalities import OTHER_STATE_LABEL, all_municipalities
from foros.core.routing import MAX_DB_INT
from foros.core.time import local_today, utcnow
from foros.events.models import Modality, sector_labels
from foros.events.services import get_event
from foros.extensions import db, limiter
from foros.registration.lifecycle import get_event_registration
from foros.registration.models import RegistrationSource, RegistrationStatus
from foros.registration.signup import register_attendee, waitlist_position

#: How the page says it read the code → the device label stored with the scan (plus the staff name).
SOURCES = {"camara": "cámara", "lector": "lector"}
MAX_CODE = 200
MAX_QUERY = 100


def _open(slug, list_slug=None):
    """Load the event and the list; 403 unless this account works the event, 404 for an unknown list."""
    event = get_event(slug)
    door, checkin_list = services.open_door(current_user, event, list_slug)
    return event, door, checkin_list


def _device(kind: str) -> str:
    return f"{kind} — {current_user.name}"[:100]


def _door_url(event, checkin_list) -> str:
    return url_for("checkin.door", slug=event.slug, list_slug=checkin_list.slug)


def _back(event, checkin_list) -> str:
    """Where a door form returns: the page it came from (only our own door pages), else the door."""
    target = request.form.get("next", "")
    door_url = _door_url(event, checkin_list)
    if target.startswith(door_url) and "\\" not in target and len(target) <= 300:
        return target
    return door_url


def _render_door(event, door, checkin_list, *, answer=None, status=200):
    return render_template(
        "checkin/door.html", event=event, checkin_list=checkin_list, answer=answer,
        first_checkin=_first_checkin_text(answer), recent=services.recent_admissions(door), results=ScanResult,
        counter=services.door_counter(checkin_list),
    ), status


def _first_checkin_text(answer: dict | None) -> str:
    """'a las 10:32 · lector — Sergio Staff' for an already-admitted answer, else ''."""
    first = (answer or {}).get("first_checkin") or {}
    if not first.get("at"):
        return ""
    return f"a las {fmt_time(datetime.fromisoformat(first['at']))} · {first.get('device') or 'sin dato'}"


def _flash_answer(answer: dict) -> None:
    """The service's answer to a manual admission, as a message on the next page."""
    name = (answer.get("attendee") or {}).get("name", "")
    result = answer["result"]
    if result == ScanResult.ACCEPTED:
        flash(f"{name}: acceso registrado.", "success")
    elif result == ScanResult.ALREADY_CHECKED_IN:
        when = _first_checkin_text(answer)
        flash(f"{name} ya había entrado ({when})." if when else f"{name} ya había entrado.", "warning")
    else:
        flash(f"{name}: {answer['message']}" if name else answer["message"], "error")


# --- the door -----------------------------------------------------------------------------------------

@bp.get("/puerta/<slug>")
@staff_required
def choose(slug):
    """Pick the list this door checks (today's first)."""
    event, _door, default = _open(slug)
    lists = services.event_lists(event)
    return render_template("checkin/choose.html", event=event, lists=lists, default=default,
                           today=local_today())


@bp.get("/puerta/<slug>/<list_slug>")
@staff_required
def door(slug, list_slug):
    """The door page: camera, wedge-scanner field, search, recent admissions (works without JavaScript)."""
    event, door, checkin_list = _open(slug, list_slug)
    return _render_door(event, door, checkin_list)


_DOOR_SCAN = DoorScanSchema()


def _scan_body():
    """Load the JSON body of a scan with the scan schema the API shares: (ScanInput, source) or an error."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, json_error(422, "validation_error", "Envíe un objeto JSON con «code» y «scan_id».")
    if has_unstorable_text(body):
        return None, json_error(400, "bad_request", UNSTORABLE_MESSAGE)
    try:
        data = _DOOR_SCAN.load(body)
    except ma.ValidationError as error:
        return None, json_error(422, "validation_error", "Los datos enviados no son válidos.",
                                {name: _messages(found) for name, found in error.messages.items()})
    scan_input = ScanInput(code=data["code"].strip(), scan_id=str(data["scan_id"]), scanned_at=data["scanned_at"])
    return (scan_input, data["source"]), None


def _messages(found) -> list[str]:
    """marshmallow's messages of one field as a flat list of text (never the value sent)."""
    if isinstance(found, dict):
        return [m for value in found.values() for m in _messages(value)]
    return [str(m) for m in found] if isinstance(found, list) else [str(found)]


@bp.post("/puerta/<slug>/<list_slug>/escanear")
@staff_required
def scan(slug, list_slug):
    """One scan: JSON from the page's script (CSRF in X-CSRFToken), or the plain form when JS is off."""
    if not request.is_json:
        event, door, checkin_list = _open(slug, list_slug)
        code = " ".join(request.form.get("code", "").split())
        if not code:
            return redirect(_door_url(event, checkin_list))
        answer = check_in(door, code[:MAX_CODE], device=_device(SOURCES["lector"]))
        return _render_door(event, door, checkin_list, answer=answer)
    parsed, error = _scan_body()
    if error is not None:
        return error
    scan_input, source = parsed
    try:
        # The same service as POST /api/v1/checkins; the door is this account's (403, 404 as JSON).
        answer, list_info = scan_ticket(scan_input, slug, list_slug, user=current_user,
                                        device=_device(SOURCES[source]))
    except DomainError as exc:  # not assigned, no such list, a refused scanned_at, a scan_id reused
        transaction.discard()
        return json_error(exc.status, exc.code, exc.message, exc.fields or None)
    answer["list"] = list_info
    return jsonify(answer)


@bp.get("/puerta/<slug>/<list_slug>/recientes")
@staff_required
def recent(slug, list_slug):
    """The "Últimas entradas" block alone: the door page's script swaps it in after each scan."""
    event, door, checkin_list = _open(slug, list_slug)
    recent = services.recent_admissions(door)
    html = render_template("checkin/_recent.html", event=event, checkin_list=checkin_list, recent=recent,
                           counter=services.door_counter(checkin_list), back_url=_door_url(event, checkin_list))
    return html


@bp.get("/puerta/<slug>/<list_slug>/buscar")
@staff_required
def search(slug, list_slug):
    """Find people without their ticket by name or organization; admit or undo from the results."""
    event, door, checkin_list = _open(slug, list_slug)
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    limited = bool(query) and not _search_allowed()
    people = [] if limited else services.search_attendees(event, query)
    admissions = services.admissions_by_registration(door, [p.id for p in people])
    recent = services.recent_admissions(door)
    return render_template("checkin/search.html", event=event, checkin_list=checkin_list, query=query,
                           people=people, admissions=admissions, recent=recent,
                           counter=services.door_counter(checkin_list), limited=limited,
                           sectors=sector_labels(event.sector_options),
                           statuses=RegistrationStatus), 429 if limited else 200


def _search_allowed() -> bool:
    """Count one search against this account's limit (DOOR_SEARCH_RATE_LIMIT, in the limiter's storage).

    Per account, not per address: staff share the venue's network, and the limit is there so that nobody
    can sift the attendee list by trying thousands of fragments.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limit = parse_limit(current_app.config["DOOR_SEARCH_RATE_LIMIT"])
    return limiter.limiter.hit(limit, "door_search", str(current_user.id))


@bp.post("/puerta/<slug>/<list_slug>/admitir")
@staff_required
def admit(slug, list_slug):
    """Admit someone found by search (same rules and exactly-once guarantee as a scan)."""
    event, door, checkin_list = _open(slug, list_slug)
    registration = get_event_registration(event, request.form.get("registro", ""), identifiable_only=True)
    answer = admit_registration(door, registration, device=_device("manual"), actor=current_user)
    _flash_answer(answer)
    return redirect(_back(event, checkin_list))


@bp.post("/puerta/<slug>/<list_slug>/deshacer")
@staff_required
def undo(slug, list_slug):
    """Undo a mistaken admission at this list (the row stays, with who undid it and when)."""
    event, door, checkin_list = _open(slug, list_slug)
    raw = request.form.get("entrada", "")
    checkin = db.session.get(Checkin, int(raw)) if raw.isdigit() and int(raw) <= MAX_DB_INT else None
    if checkin is None or checkin.list_id != door.list_id:
        raise NotFound("checkin_not_found", "No existe ese registro de acceso en esta lista.")
    try:
        services.undo_checkin(checkin, actor=current_user)
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        name = checkin.registration.name if checkin.registration else ""
        flash(f"Se deshizo la entrada de {name}; puede volver a admitirla(o).", "success")
    return redirect(_back(event, checkin_list))


def _walk_in_days(event, checkin_list):
    """The days a walk-in is registered for: the list's day, else today if it is an event day, else all."""
    if checkin_list.event_day is not None:
        return [checkin_list.event_day.day]
    today = local_today()
    days = [d.day for d in event.days]
    return [today] if today in days else days


@bp.route("/puerta/<slug>/<list_slug>/registro", methods=["GET", "POST"])
@staff_required
def walk_in(slug, list_slug):
    """Register someone who arrives without a registration and admit them at once (capacity still applies)."""
    event, door, checkin_list = _open(slug, list_slug)
    form = WalkInForm().for_event(event)
    if form.validate_on_submit():
        email = form.email.data or ""
        try:
            result = register_attendee(
                event, form.to_input(_walk_in_days(event, checkin_list)), source=RegistrationSource.WALKIN,
                actor=current_user, require_email=False, notify=bool(email))
        except DomainError as exc:
            transaction.discard()
            form.show_error(exc)
        else:
            return _after_walk_in(event, door, checkin_list, result)
    status = 422 if form.is_submitted() else 200
    return render_template("checkin/walk_in.html", event=event, checkin_list=checkin_list, form=form,
                           municipalities=all_municipalities(), other_state=OTHER_STATE_LABEL), status


def _after_walk_in(event, door, checkin_list, result):
    registration = result.registration
    if not result.created:
        flash(f"Ya existe un registro con ese correo: {registration.name}. Admítalo desde la búsqueda.", "warning")
        return redirect(url_for("checkin.search", slug=event.slug, list_slug=checkin_list.slug,
                                q=registration.name))
    if registration.status == RegistrationStatus.WAITLISTED:
        position = waitlist_position(registration)
        flash(f"Cupo lleno: {registration.name} quedó registrada(o) en lista de espera (lugar {position}). "
              "No tiene lugar confirmado, así que no puede entrar por ahora.", "warning")
        return redirect(_door_url(event, checkin_list))
    answer = admit_registration(door, registration, device=_device("en puerta"))
    if answer["result"] == ScanResult.ACCEPTED:
        flash(f"Registro en puerta listo: {registration.name} ya puede entrar (acceso registrado).", "success")
    else:
        flash(f"{registration.name} quedó registrada(o), pero no puede entrar por esta lista: "
              f"{answer['message']}", "error")
    return redirect(_door_url(event, checkin_list))


# --- organizers: live attendance and extra lists ------------------------------------------------------

def _attendance(event) -> dict:
    """Counts of every list of the event, with the labels the page needs (no personal data)."""
    lists = services.event_lists(event)
    return {
        "event": {"slug": event.slug, "title": event.title},
        "sectors": sector_labels(event.sector_options),
        "modalities": {m.value: m.label for m in Modality},
        "lists": [services.list_counts(cl) for cl in lists],
        "updated_at": utcnow().isoformat(),
    }


def _render_dashboard(event, form, status=200):
    data = _attendance(event)
    return render_template("checkin/manage/attendance.html", event=event, data=data, form=form), status


@bp.get("/gestion/eventos/<slug>/asistencia")
@organizer_required
def manage_attendance(slug):
    """Live attendance for a projector: per list admitted/expected, by sector and modality, arrivals."""
    event = get_event(slug)
    return _render_dashboard(event, CheckinListForm().for_event(event))


@bp.get("/gestion/eventos/<slug>/asistencia.json")
@organizer_required
def manage_attendance_json(slug):
    """The dashboard's numbers, polled by its script every few seconds."""
    event = get_event(slug)
    data = _attendance(event)
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/gestion/eventos/<slug>/asistencia/listas")
@organizer_required
def manage_list_new(slug):
    """Add a check-in list for part of the event (a panel, a session), with its day, hours and modalities."""
    event = get_event(slug)
    form = CheckinListForm().for_event(event)
    if form.validate_on_submit():
        day = next((d for d in event.days if str(d.id) == form.day.data), None)
        try:
            checkin_list = services.create_list(
                event, name=form.name.data or "", slug=form.slug.data or "", day=day,
                starts_at=form.local(form.starts_at.data), ends_at=form.local(form.ends_at.data),
                modalities=form.modalities.data or (), actor=current_user)
        except DomainError as exc:
            transaction.discard()
            event = get_event(slug)
            form.show_error(exc)
        else:
            flash(f"Lista «{checkin_list.name}» creada. El personal ya puede elegirla en la puerta.", "success")
            return redirect(url_for("checkin.manage_attendance", slug=event.slug))
    return _render_dashboard(event, form, 422)
