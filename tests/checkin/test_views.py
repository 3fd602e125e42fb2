"""The door pages (HTTP): lists, scans as JSON and as a plain form, search, admit, undo, walk-ins, the
organizer's dashboard and lists, access, personal data, and bad input."""

import re
import uuid
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from foros.accounts.models import Role
from foros.accounts.services import update_user
from foros.audit.models import AuditEntry
from foros.checkin.models import Checkin, CheckinList
from foros.core.time import local_today, utcnow
from foros.events.models import Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus
from foros.registration.signup import register_attendee
from tests.conftest import PASSWORD, csrf_token_from, make_event

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def person(n, **overrides):
    values = dict(name=f"Persona {n} Apellido", email=f"p{n}@example.org", phone=f"55000000{n:02d}",
                  sector="academia", municipality_key="15031", organization="UAEMéx", privacy_consent=True)
    values.update(overrides)
    return RegistrationInput(**values)


@pytest.fixture
def setup(app, organizer, staff):
    event = make_event(capacity_in_person=2, days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    other = make_event(title="Otro foro", days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    lucia = register_attendee(event, person(1, name="Lucía Hernández", email="lucia@example.org",
                                            phone="5512345678", sector="sociedad_civil",
                                            organization="Colectivo")).registration
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    db.session.commit()
    day = local_today().isoformat()
    return {"event": event, "other": other, "lucia": lucia, "list": day,
            "door": f"/puerta/{event.slug}/{day}", "other_door": f"/puerta/{other.slug}/{day}"}


def scan(client, door, code, scan_id=None, **extra):
    body = {"code": code, "scan_id": scan_id or str(uuid.uuid4()), **extra}
    return client.post(f"{door}/escanear", json=body)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def flashes(client, url) -> str:
    return client.get(url).get_data(as_text=True)


# --- lists and the door page ----------------------------------------------------------------------------

def test_choose_shows_todays_list_first_and_other_lists(staff_client, setup):
    event = setup["event"]
    response = staff_client.get(f"/puerta/{event.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="{setup["door"]}"' in html and "Hoy" in html


def test_door_page_has_wedge_field_csrf_meta_module_script_and_no_inline_script(staff_client, setup):
    response = staff_client.get(setup["door"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="codigo">Código del boleto</label>' in html
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    assert '<script type="module" src="/static/js/checkin/door.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script (the CSP forbids it)"
    assert 'action="/puerta/' in html and "/buscar" in html  # the wedge form and the search work without JS
    assert "'wasm-unsafe-eval'" in response.headers["Content-Security-Policy"]


def get_static(client, path):
    """A static file's status, headers and text (static responses hold the file open until closed)."""
    with client.get(path) as response:
        return response.status_code, response.headers, response.mimetype, response.get_data()


def test_wasm_is_allowed_only_on_the_door_and_its_decoder(client, staff_client, setup):
    assert "wasm" not in client.get("/").headers["Content-Security-Policy"]
    assert "wasm" not in get_static(client, "/static/js/checkin/door.js")[1]["Content-Security-Policy"]
    assert "wasm" not in get_static(client, "/static/js/checkin/attendance.js")[1]["Content-Security-Policy"]
    _status, headers, _type, _body = get_static(client, "/static/js/checkin/decoder-worker.js")
    assert "script-src 'self' 'wasm-unsafe-eval';" in headers["Content-Security-Policy"]


def test_vendored_decoder_is_self_hosted_and_cached_for_a_year(client):
    wasm = "/static/vendor/zxing-wasm-3.1.4/reader/zxing_reader.wasm"
    status, headers, mimetype, _body = get_static(client, wasm)
    assert status == 200 and mimetype == "application/wasm"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert get_static(client, "/static/vendor/zxing-wasm-3.1.4/LICENSE")[0] == 200
    assert "no-cache" in get_static(client, "/static/js/checkin/door.js")[1]["Cache-Control"]
    worker = get_static(client, "/static/js/checkin/decoder-worker.js")[3].decode()
    assert "locateFile" in worker and "jsdelivr" not in worker


def test_staff_home_links_to_the_door(staff_client, setup):
    html = staff_client.get("/inicio").get_data(as_text=True)
    assert f'href="/puerta/{setup["event"].slug}"' in html and "Abrir la puerta" in html


# --- access ----------------------------------------------------------------------------------------------

def test_staff_of_another_event_get_403_everywhere(staff_client, setup):
    other = setup["other"]
    assert staff_client.get(f"/puerta/{other.slug}").status_code == 403
    assert staff_client.get(setup["other_door"]).status_code == 403
    assert staff_client.get(f"{setup['other_door']}/buscar?q=per").status_code == 403
    assert staff_client.get(f"{setup['other_door']}/registro").status_code == 403
    refused = scan(staff_client, setup["other_door"], ticket_code(setup["lucia"]))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "not_assigned"
    assert count(Checkin) == 0


def test_recent_block_alone_for_the_door_script(staff_client, setup):
    empty = staff_client.get(f"{setup['door']}/recientes")
    assert empty.status_code == 200 and "Aún no hay entradas" in empty.get_data(as_text=True)
    scan(staff_client, setup["door"], ticket_code(setup["lucia"]))
    block = staff_client.get(f"{setup['door']}/recientes").get_data(as_text=True)
    assert block.lstrip().startswith("<section") and "<html" not in block
    assert "Lucía Hernández" in block and "Colectivo" in block
    # Undo from the swapped-in block returns to the door page, not to this fragment's address.
    assert f'name="next" value="{setup["door"]}"' in block
    assert "lucia@example.org" not in block and "5512345678" not in block
    assert staff_client.get(f"{setup['other_door']}/recientes").status_code == 403


def test_organizer_works_every_door(organizer_client, setup):
    assert organizer_client.get(setup["other_door"]).status_code == 200


@pytest.mark.parametrize("path", ["/puerta/no-existe", "/puerta/{slug}/no-existe",
                                  "/puerta/{slug}/" + "x" * 10_000])
def test_unknown_event_or_list_is_spanish_404(staff_client, setup, path):
    response = staff_client.get(path.format(slug=setup["event"].slug))
    assert response.status_code == 404
    assert 'lang="es-MX"' in response.get_data(as_text=True)


def test_unknown_list_json_scan_is_json_404(staff_client, setup):
    response = scan(staff_client, f"/puerta/{setup['event'].slug}/no-existe", ticket_code(setup["lucia"]))
    assert response.status_code == 404 and response.json["error"]["code"] == "list_not_found"


def test_anonymous_is_sent_to_login(client, setup):
    response = client.get(setup["door"])
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")


# --- scans (JSON) ------------------------------------------------------------------------------------------

def test_json_scan_admits_once_with_the_api_answer_shape_and_no_personal_data(staff_client, setup):
    code = ticket_code(setup["lucia"])
    scan_id = str(uuid.uuid4())
    first = scan(staff_client, setup["door"], code, scan_id, source="camara")
    assert first.status_code == 200
    body = first.json
    assert set(body) == {"result", "message", "attendee", "list"}
    assert body["result"] == "accepted"
    assert body["attendee"] == {"name": "Lucía Hernández", "organization": "Colectivo",
                                "sector": "Sociedad civil organizada"}
    assert body["list"]["slug"] == setup["list"]
    text = first.get_data(as_text=True)
    assert "lucia@example.org" not in text and "5512345678" not in text

    assert scan(staff_client, setup["door"], code, scan_id).json["result"] == "accepted"  # a retry
    again = scan(staff_client, setup["door"], code, source="lector").json
    assert again["result"] == "already_checked_in"
    assert again["first_checkin"]["device"] == "cámara — Sergio Staff" and again["first_checkin"]["at"]
    admitted = db.session.scalars(select(Checkin).where(Checkin.result == "accepted")).all()
    assert len(admitted) == 1 and admitted[0].user_id is not None


@pytest.mark.parametrize("kind, expected", [("forged", "invalid_signature"), ("waitlisted", "waitlisted"),
                                            ("wrong_event", "wrong_event"), ("cancelled", "cancelled")])
def test_json_scan_refusals(staff_client, setup, kind, expected):
    event = setup["event"]
    if kind == "forged":
        code = ticket_code(setup["lucia"])[:-4] + "AAAA"
    elif kind == "waitlisted":
        register_attendee(event, person(2))
        code = ticket_code(register_attendee(event, person(3)).registration)
    elif kind == "wrong_event":
        code = ticket_code(register_attendee(setup["other"], person(4)).registration)
    else:
        from foros.registration.lifecycle import cancel_registration

        reg = register_attendee(event, person(5)).registration
        cancel_registration(reg, notify=False)
        code = ticket_code(reg)
    db.session.commit()
    body = scan(staff_client, setup["door"], code).json
    assert body["result"] == expected and body["message"]


def test_wrong_event_scan_at_the_door_reveals_nothing_about_the_person(staff_client, setup):
    """Issue 10 point 13: the door page and its JSON scan say "another event", and nothing personal."""
    stranger = register_attendee(setup["other"], person(4, name="Persona Ajena",
                                                        organization="Organización Ajena")).registration
    db.session.commit()
    body = scan(staff_client, setup["door"], ticket_code(stranger)).json
    assert body["result"] == "wrong_event" and "attendee" not in body
    html = staff_client.post(f"{setup['door']}/escanear",
                             data={"code": ticket_code(stranger)}).get_data(as_text=True)
    assert "otro evento" in html
    assert "Persona Ajena" not in html and "Organización Ajena" not in html and "Academia" not in html


@pytest.mark.parametrize("body", [
    pytest.param(["no", "es", "objeto"], id="list"),
    pytest.param({"scan_id": "9b0a3d51-0d6f-4f6e-9a43-2a0b7d8cba11"}, id="no-code"),
    pytest.param({"code": "x" * 10_000, "scan_id": "9b0a3d51-0d6f-4f6e-9a43-2a0b7d8cba11"}, id="10k-code"),
    pytest.param({"code": "   ", "scan_id": "9b0a3d51-0d6f-4f6e-9a43-2a0b7d8cba11"}, id="blank-code"),
    pytest.param({"code": 12345, "scan_id": "9b0a3d51-0d6f-4f6e-9a43-2a0b7d8cba11"}, id="number-code"),
    pytest.param({"code": "F1ABC", "scan_id": "no-es-uuid"}, id="bad-scan-id"),
    pytest.param({"code": "F1ABC"}, id="no-scan-id"),
    pytest.param({"code": "F1ABC", "scan_id": "9b0a3d51-0d6f-4f6e-9a43-2a0b7d8cba11", "source": SCRIPT},
                 id="bad-source"),
])
def test_json_scan_bad_bodies_are_422_and_write_nothing(staff_client, setup, body):
    response = staff_client.post(f"{setup['door']}/escanear", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "validation_error"
    assert SCRIPT not in response.get_data(as_text=True)
    assert count(Checkin) == 0


def test_malformed_json_is_422(staff_client, setup):
    response = staff_client.post(f"{setup['door']}/escanear", data="{no es json",
                                 content_type="application/json")
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_error"


def test_scan_id_reused_on_another_list_is_409(staff_client, setup):
    event = setup["event"]
    from foros.checkin import services

    services.create_list(event, name="Vinculación", slug="vinculacion", day=None)
    db.session.commit()
    scan_id = str(uuid.uuid4())
    assert scan(staff_client, setup["door"], ticket_code(setup["lucia"]), scan_id).status_code == 200
    response = scan(staff_client, f"/puerta/{event.slug}/vinculacion", ticket_code(setup["lucia"]), scan_id)
    assert response.status_code == 409 and response.json["error"]["code"] == "scan_id_reused"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_json_scan_needs_the_csrf_header_from_the_page(app, staff, setup, app_config):
    client = app.test_client()
    token = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    client.post("/entrar", data={"email": staff.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(setup["door"]).get_data(as_text=True)
    meta_token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    body = {"code": ticket_code(setup["lucia"]), "scan_id": str(uuid.uuid4())}

    refused = client.post(f"{setup['door']}/escanear", json=body)
    assert refused.status_code == 400
    assert count(Checkin) == 0
    accepted = client.post(f"{setup['door']}/escanear", json=body, headers={"X-CSRFToken": meta_token})
    assert accepted.status_code == 200 and accepted.json["result"] == "accepted"


# --- scans without JavaScript ------------------------------------------------------------------------------

def test_plain_form_scan_renders_the_answer(staff_client, setup):
    response = staff_client.post(f"{setup['door']}/escanear", data={"code": ticket_code(setup["lucia"])})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "result-ok" in html and "Acceso registrado" in html and "Lucía Hernández" in html
    again = staff_client.post(f"{setup['door']}/escanear", data={"code": ticket_code(setup["lucia"])})
    html = again.get_data(as_text=True)
    assert "result-warn" in html and "Primera entrada a las" in html and "lector — Sergio Staff" in html
    assert "lucia@example.org" not in html and "5512345678" not in html
    forged = staff_client.post(f"{setup['door']}/escanear", data={"code": SCRIPT}).get_data(as_text=True)
    assert "result-error" in forged and "Código no válido o alterado." in forged and SCRIPT not in forged


def test_plain_form_scan_of_nothing_goes_back_to_the_door(staff_client, setup):
    response = staff_client.post(f"{setup['door']}/escanear", data={"code": "  "})
    assert response.status_code == 302 and response.headers["Location"] == setup["door"]


# --- search, admit, undo ---------------------------------------------------------------------------------

def test_search_lists_matches_without_email_or_phone(staff_client, setup):
    response = staff_client.get(f"{setup['door']}/buscar?q=lucía")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Lucía Hernández", "Colectivo", "Sociedad civil organizada", "Confirmado", "No ha entrado",
                 "Admitir"):
        assert text in html
    assert "lucia@example.org" not in html and "5512345678" not in html


@pytest.mark.parametrize("query", ["lucia@", "@example", "example.org", "lucia@example.org", "ucia@ex"])
def test_search_never_matches_email_fragments(staff_client, setup, query):
    """Issue 10 point 14: trying fragments of an e-mail must not tell whether they belong to someone."""
    html = staff_client.get(f"{setup['door']}/buscar", query_string={"q": query}).get_data(as_text=True)
    assert "Lucía Hernández" not in html and "Nadie coincide" in html


@pytest.mark.parametrize("status", ["cancelled", "waitlisted"])
def test_search_offers_no_admit_button_to_people_who_cannot_enter(staff_client, setup, status):
    """Issue 10 point 5: the status is shown instead of an "Admitir" the door would refuse."""
    from foros.registration.lifecycle import cancel_registration

    if status == "cancelled":
        cancel_registration(setup["lucia"], notify=False)
        query, expected = "Lucía", "Registro cancelado"
    else:
        register_attendee(setup["event"], person(2))  # the second and last seat
        waiting = register_attendee(setup["event"], person(3, name="Rosa Espera", organization="Otra"))
        assert waiting.registration.status == RegistrationStatus.WAITLISTED
        query, expected = "Rosa", "En lista de espera"
    db.session.commit()
    html = staff_client.get(f"{setup['door']}/buscar", query_string={"q": query}).get_data(as_text=True)
    assert expected in html
    assert "Admitir" not in html and 'name="registro"' not in html


def test_search_shows_already_admitted_with_undo(staff_client, setup):
    staff_client.post(f"{setup['door']}/admitir", data={"registro": setup["lucia"].ticket_id})
    html = staff_client.get(f"{setup['door']}/buscar?q=luc%C3%ADa").get_data(as_text=True)
    assert "Ya admitido" in html and "Deshacer" in html and 'name="registro"' not in html


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "DOOR_SEARCH_RATE_LIMIT": "3 per minute"}])
def test_door_search_is_rate_limited_per_account(app, staff_client, organizer, setup):
    """Issue 10 point 14: a few searches a minute per account, with a Spanish page that keeps working."""
    for n in range(3):
        assert staff_client.get(f"{setup['door']}/buscar?q=luc{n}").status_code == 200
    response = staff_client.get(f"{setup['door']}/buscar?q=lucía")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Demasiadas búsquedas" in html and "Lucía Hernández" not in html
    # Another account (same address) still searches: the limit is per account.
    other = app.test_client()
    assert other.post("/entrar", data={"email": organizer.email, "password": PASSWORD}).status_code == 302
    response = other.get(f"{setup['door']}/buscar?q=lucía")
    assert response.status_code == 200 and "Lucía Hernández" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["x" * 10_000, SCRIPT, "%", "_", "a", "", "ñ" * 500])
def test_search_bad_input_is_never_an_error(staff_client, setup, query):
    response = staff_client.get(f"{setup['door']}/buscar", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SCRIPT not in html and "x" * 101 not in html


def test_html_in_names_is_escaped_everywhere(staff_client, setup):
    reg = register_attendee(setup["event"], person(7, name=f"{SCRIPT} Pérez", organization=SCRIPT)).registration
    db.session.commit()
    staff_client.post(f"{setup['door']}/admitir", data={"registro": reg.ticket_id})
    for url in (setup["door"], f"{setup['door']}/buscar?q=rez"):
        html = staff_client.get(url).get_data(as_text=True)
        assert ESCAPED in html and SCRIPT not in html
    html = staff_client.post(f"{setup['door']}/escanear", data={"code": ticket_code(reg)}).get_data(as_text=True)
    assert ESCAPED in html and SCRIPT not in html


def test_admit_then_undo_records_who_and_when(staff_client, setup, staff):
    lucia = setup["lucia"]
    back = f"{setup['door']}/buscar?q=luc"
    response = staff_client.post(f"{setup['door']}/admitir", data={"registro": lucia.ticket_id, "next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    html = flashes(staff_client, back)
    assert "Lucía Hernández: acceso registrado." in html and "Entró a las" in html
    checkin = db.session.scalar(select(Checkin).where(Checkin.result == "accepted"))
    assert checkin.device == "manual — Sergio Staff" and checkin.user_id == staff.id

    again = staff_client.post(f"{setup['door']}/admitir", data={"registro": lucia.ticket_id, "next": back})
    assert "ya había entrado" in flashes(staff_client, again.headers["Location"])

    response = staff_client.post(f"{setup['door']}/deshacer", data={"entrada": checkin.id, "next": back})
    assert response.status_code == 302
    assert "Se deshizo la entrada de Lucía Hernández" in flashes(staff_client, back)
    db.session.refresh(checkin)
    assert checkin.undone_at is not None and checkin.undone_by_id == staff.id
    assert count(AuditEntry, AuditEntry.action == "checkin.undo") == 1
    html = staff_client.get(setup["door"]).get_data(as_text=True)
    assert "Deshecha a las" in html and "por Sergio Staff" in html

    twice = staff_client.post(f"{setup['door']}/deshacer", data={"entrada": checkin.id})
    assert "no se puede deshacer" in flashes(staff_client, twice.headers["Location"])
    # Undone: the person can be admitted again.
    staff_client.post(f"{setup['door']}/admitir", data={"registro": lucia.ticket_id})
    assert count(Checkin, Checkin.result == "accepted", Checkin.undone_at.is_(None)) == 1


def test_admit_waitlisted_says_why(staff_client, setup):
    register_attendee(setup["event"], person(2))
    waiting = register_attendee(setup["event"], person(3)).registration
    db.session.commit()
    assert waiting.status == RegistrationStatus.WAITLISTED
    response = staff_client.post(f"{setup['door']}/admitir", data={"registro": waiting.ticket_id})
    assert "lista de espera" in flashes(staff_client, response.headers["Location"])
    assert count(Checkin, Checkin.result == "accepted") == 0


@pytest.mark.parametrize("ticket_id", ["", "ffffffffffffffff", "x" * 10_000, SCRIPT])
def test_admit_unknown_registration_is_404(staff_client, setup, ticket_id):
    response = staff_client.post(f"{setup['door']}/admitir", data={"registro": ticket_id})
    assert response.status_code == 404 and SCRIPT not in response.get_data(as_text=True)


def test_anonymised_registration_cannot_be_admitted_at_the_door(staff_client, setup):
    setup["lucia"].anonymized_at = utcnow()
    db.session.commit()
    response = staff_client.post(f"{setup['door']}/admitir", data={"registro": setup["lucia"].ticket_id})
    assert response.status_code == 404 and count(Checkin) == 0


def test_admit_registration_of_another_event_is_404(staff_client, setup):
    stranger = register_attendee(setup["other"], person(9)).registration
    db.session.commit()
    assert staff_client.post(f"{setup['door']}/admitir", data={"registro": stranger.ticket_id}).status_code == 404


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999", "-1", "0"])
def test_undo_unknown_checkin_is_404(staff_client, setup, value):
    assert staff_client.post(f"{setup['door']}/deshacer", data={"entrada": value}).status_code == 404


def test_undo_checkin_of_another_list_is_404(organizer_client, staff_client, setup):
    scan(organizer_client, setup["other_door"], ticket_code(register_attendee(setup["other"], person(8))
                                                            .registration))
    checkin = db.session.scalar(select(Checkin))
    assert staff_client.post(f"{setup['door']}/deshacer", data={"entrada": checkin.id}).status_code == 404


def test_next_outside_the_door_is_ignored(staff_client, setup):
    response = staff_client.post(f"{setup['door']}/admitir", data={
        "registro": setup["lucia"].ticket_id, "next": "https://example.com/phish"})
    assert response.headers["Location"] == setup["door"]


# --- walk-ins ------------------------------------------------------------------------------------------------

WALK_IN = {"name": "Pedro Páramo", "sector": "ciudadania", "organization": "Comala", "municipality": "Toluca",
           "privacy_consent": "y"}


def test_walk_in_shows_the_privacy_notice_and_requires_consent(staff_client, setup):
    """Issue 10 point 12: the door collects personal data only with the event's notice and consent."""
    html = staff_client.get(f"{setup['door']}/registro").get_data(as_text=True)
    assert "Aviso de privacidad" in html and "Ley de Protección de Datos Personales" in html
    assert 'name="privacy_consent"' in html
    before = count(Registration)
    response = staff_client.post(f"{setup['door']}/registro", data={**WALK_IN, "privacy_consent": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "debe aceptar el aviso de privacidad" in page
    assert 'value="Pedro Páramo"' in page  # what was typed is kept
    assert count(Registration) == before


def test_walk_in_without_email_is_registered_and_admitted_at_once(staff_client, setup):
    page = staff_client.get(f"{setup['door']}/registro")
    assert page.status_code == 200 and "Correo electrónico (opcional)" in page.get_data(as_text=True)
    response = staff_client.post(f"{setup['door']}/registro", data=WALK_IN)
    assert response.status_code == 302 and response.headers["Location"] == setup["door"]
    html = flashes(staff_client, setup["door"])
    assert "Registro en puerta listo: Pedro Páramo ya puede entrar (acceso registrado)." in html
    reg = db.session.scalar(select(Registration).where(Registration.name == "Pedro Páramo"))
    assert reg.source == RegistrationSource.WALKIN and reg.status == RegistrationStatus.CONFIRMED
    assert reg.email is None and reg.email_normalized is None
    assert reg.privacy_consent_at is not None  # recorded like a public registration's consent
    assert [d.day for d in reg.days] == [local_today()]
    assert count(Checkin, Checkin.registration_id == reg.id, Checkin.result == "accepted") == 1
    assert count(OutboxMessage) == 1  # only Lucía's confirmation from the setup


def test_two_walk_ins_without_email_are_two_people(staff_client, setup):
    staff_client.post(f"{setup['door']}/registro", data=WALK_IN)
    staff_client.post(f"{setup['door']}/registro", data={**WALK_IN, "name": "Susana San Juan"})
    assert count(Registration, Registration.source == RegistrationSource.WALKIN) == 2


def test_walk_in_with_email_gets_the_ticket(staff_client, setup):
    staff_client.post(f"{setup['door']}/registro", data={**WALK_IN, "email": "pedro@example.org"})
    reg = db.session.scalar(select(Registration).where(Registration.email_normalized == "pedro@example.org"))
    assert reg is not None
    assert count(OutboxMessage, OutboxMessage.registration_id == reg.id) == 1


def test_walk_in_at_a_full_event_goes_to_the_waitlist_and_does_not_enter(staff_client, setup):
    register_attendee(setup["event"], person(2))  # capacity 2: now full
    db.session.commit()
    response = staff_client.post(f"{setup['door']}/registro", data=WALK_IN)
    html = flashes(staff_client, response.headers["Location"])
    assert "Cupo lleno: Pedro Páramo quedó registrada(o) en lista de espera (lugar 1)" in html
    assert "no puede entrar por ahora" in html
    reg = db.session.scalar(select(Registration).where(Registration.name == "Pedro Páramo"))
    assert reg.status == RegistrationStatus.WAITLISTED
    assert count(Checkin, Checkin.registration_id == reg.id) == 0


def test_walk_in_with_a_known_email_points_to_the_existing_registration(staff_client, setup):
    response = staff_client.post(f"{setup['door']}/registro", data={**WALK_IN, "email": "LUCIA@example.org"})
    assert response.status_code == 302 and "/buscar?q=" in response.headers["Location"]
    html = flashes(staff_client, response.headers["Location"])
    assert "Ya existe un registro con ese correo: Lucía Hernández" in html
    assert count(Registration) == 1


@pytest.mark.parametrize("data, messages", [
    ({}, ["Escriba su nombre completo.", "Elija un sector de la lista.", "Elija un municipio"]),
    ({**WALK_IN, "name": "x" * 10_000}, ["Máximo 200 caracteres."]),
    ({**WALK_IN, "sector": SCRIPT}, ["Elija un sector de la lista."]),
    ({**WALK_IN, "municipality": "Atlantis"}, ["Elija un municipio"]),
    ({**WALK_IN, "email": "no-es-correo"}, ["Escriba un correo electrónico válido"]),
    ({**WALK_IN, "name": SCRIPT + " Pérez", "email": "no-es-correo"}, [ESCAPED]),
])
def test_walk_in_bad_input_is_explained_and_saves_nothing(staff_client, setup, data, messages):
    response = staff_client.post(f"{setup['door']}/registro", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Revise el formulario" in html
    for message in messages:
        assert message in html
    assert SCRIPT not in html
    assert count(Registration) == 1 and count(Checkin) == 0


def test_walk_in_at_a_hybrid_event_chooses_in_person(staff_client, staff, organizer, app):
    event = make_event(title="Híbrido", modality=Modality.HIBRIDA, capacity_virtual=10,
                       days=[DayInput(local_today(), time(0, 0), time(23, 59))])
    update_user(staff, name=staff.name, role=Role.STAFF, active=True, events=[event], actor=organizer)
    db.session.commit()
    door = f"/puerta/{event.slug}/{local_today().isoformat()}"
    assert "Modalidad" in staff_client.get(f"{door}/registro").get_data(as_text=True)
    staff_client.post(f"{door}/registro", data={**WALK_IN, "modality": "presencial"})
    reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    assert reg.modality == "presencial"
    assert count(Checkin, Checkin.registration_id == reg.id, Checkin.result == "accepted") == 1


# --- organizers: dashboard and lists ------------------------------------------------------------------------

def test_dashboard_page_and_json(organizer_client, staff_client, setup):
    scan(staff_client, setup["door"], ticket_code(setup["lucia"]))
    event = setup["event"]
    html = organizer_client.get(f"/gestion/eventos/{event.slug}/asistencia").get_data(as_text=True)
    assert "Asistencia en vivo" in html and 'data-field="admitted">1<' in html
    assert "Sociedad civil organizada" in html and "Llegadas cada 15 minutos" in html
    assert '<script type="module" src="/static/js/checkin/attendance.js"></script>' in html
    assert "lucia@example.org" not in html and "Lucía" not in html

    response = organizer_client.get(f"/gestion/eventos/{event.slug}/asistencia.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.json
    assert set(data) == {"event", "sectors", "modalities", "lists", "updated_at"}
    counts = data["lists"][0]
    assert counts["admitted"] == 1 and counts["expected"] == 1
    assert counts["by_sector"]["sociedad_civil"] == {"admitted": 1, "expected": 1}
    assert counts["by_modality"]["presencial"] == {"admitted": 1, "expected": 1}
    assert sum(b["count"] for b in counts["arrivals"]) == 1
    assert data["sectors"]["sociedad_civil"] == "Sociedad civil organizada"
    assert "Lucía" not in response.get_data(as_text=True)


def test_dashboard_is_for_organizers_only(staff_client, setup):
    slug = setup["event"].slug
    assert staff_client.get(f"/gestion/eventos/{slug}/asistencia").status_code == 403
    assert staff_client.get(f"/gestion/eventos/{slug}/asistencia.json").status_code == 403


def test_event_form_links_to_the_dashboard(organizer_client, setup):
    slug = setup["event"].slug
    html = organizer_client.get(f"/gestion/eventos/{slug}").get_data(as_text=True)
    assert f'href="/gestion/eventos/{slug}/asistencia"' in html


def test_organizer_adds_a_list_for_part_of_the_event(organizer_client, staff_client, setup):
    event = setup["event"]
    day = event.days[0]
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/asistencia/listas", data={
        "name": "Mesa 2: Datos abiertos", "slug": "mesa-2", "day": str(day.id),
        "starts_at": f"{local_today().isoformat()}T10:00", "ends_at": f"{local_today().isoformat()}T12:00",
        "modalities": ["presencial"]})
    assert response.status_code == 302
    created = db.session.scalar(select(CheckinList).where(CheckinList.slug == "mesa-2"))
    assert created.event_day_id == day.id and created.modalities == ["presencial"]
    # 10:00 Mexico City is 16:00 UTC (no daylight saving time since 2022).
    assert created.starts_at.hour == 16 and created.ends_at.hour == 18
    html = staff_client.get(f"/puerta/{event.slug}").get_data(as_text=True)
    assert "Mesa 2: Datos abiertos" in html and f"/puerta/{event.slug}/mesa-2" in html


@pytest.mark.parametrize("data, message", [
    ({"name": "", "slug": "mesa", "modalities": ["presencial"]}, "Escriba un nombre"),
    ({"name": "Mesa", "slug": "Con Espacios", "modalities": ["presencial"]}, "Use solo minúsculas"),
    ({"name": "Mesa", "slug": "x" * 10_000, "modalities": ["presencial"]}, "Máximo 60 caracteres."),
    ({"name": "Mesa", "slug": "mesa", "modalities": []}, "Elija al menos una modalidad."),
    ({"name": "Mesa", "slug": "mesa", "modalities": [SCRIPT]}, "Elija una opción de la lista."),
    ({"name": "Mesa", "slug": "mesa", "day": "999999", "modalities": ["presencial"]},
     "Elija una opción de la lista"),
    ({"name": "Mesa", "slug": "mesa", "modalities": ["presencial"], "starts_at": "mañana"},
     "Fecha y hora no válidas."),
    ({"name": "Mesa", "slug": "mesa", "modalities": ["presencial"], "starts_at": "2026-01-01T12:00",
      "ends_at": "2026-01-01T10:00"}, "El fin debe ser posterior al inicio."),
])
def test_new_list_bad_input_is_explained(organizer_client, setup, data, message):
    slug = setup["event"].slug
    response = organizer_client.post(f"/gestion/eventos/{slug}/asistencia/listas", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and SCRIPT not in html
    assert count(CheckinList, CheckinList.is_default.is_(False)) == 0


def test_new_list_with_a_taken_slug_is_refused(organizer_client, setup):
    slug = setup["event"].slug
    data = {"name": "Hoy otra vez", "slug": setup["list"], "modalities": ["presencial"]}
    organizer_client.get(f"/gestion/eventos/{slug}/asistencia")  # creates the default lists
    response = organizer_client.post(f"/gestion/eventos/{slug}/asistencia/listas", data=data)
    assert response.status_code == 422
    assert "Ya hay una lista con ese nombre corto." in response.get_data(as_text=True)


def test_list_time_window_applies_at_the_door(organizer_client, staff_client, setup):
    event = setup["event"]
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    organizer_client.post(f"/gestion/eventos/{event.slug}/asistencia/listas", data={
        "name": "Mañana", "slug": "manana", "starts_at": f"{tomorrow}T09:00", "modalities": ["presencial"]})
    body = scan(staff_client, f"/puerta/{event.slug}/manana", ticket_code(setup["lucia"])).json
    assert body["result"] == "not_valid_for_list"
