"""Capture of a table's conclusions from a phone: the link opens one table only, stale edits are refused and
shown, closed capture refuses edits, bad input is handled, retried adds are idempotent; the table cards PDF."""

import io
import uuid
from datetime import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from foros.core.errors import DomainError, NotFound
from foros.extensions import db
from foros.networking import capture, consolidation, tables
from foros.networking.models import TableConclusion
from tests.conftest import make_event, make_session


def _tables(count=2):
    event = make_event()
    session = make_session(event, "Intercambio de experiencias", starts=time(12, 0), ends=time(13, 30),
                           type_key="networking")
    for number in range(1, count + 1):
        tables.save_table(session, tables.TableInput(number=number, topic=f"Tema {number}"))
    db.session.commit()
    return event, session, tables.session_tables(session)


def _add(table, text="Incluir a toda la ciudadanía en las decisiones del gobierno", **kw):
    conclusion, _created = capture.add_conclusion(table, capture.ConclusionInput(text=text, **kw))
    db.session.commit()
    return conclusion


def _rows(table):
    return list(db.session.scalars(select(TableConclusion).where(TableConclusion.table_id == table.id)
                                   .order_by(TableConclusion.position)))


def _post_json(client, token, payload, headers=None):
    return client.post(f"/mesa/{token}/conclusiones.json", json=payload, headers=headers or {})


# --- services ----------------------------------------------------------------------------------------------

def test_add_edit_move_delete_through_the_service(app):
    _event, _session, (table, _other) = _tables()
    theme = consolidation.active_themes()[0]
    first = _add(table, theme_ids=[theme.id], backing_sectors="sociedad civil y academia")
    second = _add(table, "No perder de vista a grupos vulnerables")
    assert [c.text for c in capture.current_conclusions(table)] == [first.text, second.text]
    assert first.themes == [theme] and first.backing_sectors == "sociedad civil y academia"
    capture.move_conclusion(table, second, "up")
    assert capture.current_conclusions(table) == [second, first]
    capture.edit_conclusion(table, first, 1, capture.ConclusionInput(text="Texto nuevo"))
    assert (first.text, first.version, first.themes) == ("Texto nuevo", 2, [])
    capture.delete_conclusion(table, second, 1)
    db.session.commit()
    assert capture.current_conclusions(table) == [first]
    assert second.deleted_at is not None and second.version == 2  # kept, hidden
    capture.delete_conclusion(table, second, 1)  # a retried delete is a no-op


def test_stale_edit_is_refused_with_the_current_text(app):
    _event, _session, (table, _other) = _tables()
    conclusion = _add(table, "Versión original")
    capture.edit_conclusion(table, conclusion, 1, capture.ConclusionInput(text="Lo que escribió Ana"))
    db.session.commit()
    with pytest.raises(capture.StaleEdit) as caught:
        capture.edit_conclusion(table, conclusion, 1, capture.ConclusionInput(text="Lo que escribió Beto"))
    assert caught.value.code == "stale_edit" and caught.value.status == 409
    assert caught.value.current.text == "Lo que escribió Ana"
    db.session.rollback()
    assert db.session.get(TableConclusion, conclusion.id).text == "Lo que escribió Ana"  # nothing overwritten
    with pytest.raises(capture.StaleEdit):  # deleting from a stale view is refused too
        capture.delete_conclusion(table, conclusion, 1)


def test_edit_of_a_deleted_conclusion_is_refused(app):
    _event, _session, (table, _other) = _tables()
    conclusion = _add(table, "Se borrará")
    capture.delete_conclusion(table, conclusion, 1)
    db.session.commit()
    with pytest.raises(capture.StaleEdit) as caught:
        capture.edit_conclusion(table, conclusion, 2, capture.ConclusionInput(text="Mi cambio"))
    assert caught.value.code == "conclusion_deleted"


def test_retried_add_with_the_same_client_uuid_creates_one(app):
    _event, _session, (table, other) = _tables()
    key = str(uuid.uuid4())
    data = capture.ConclusionInput(text="Una sola vez")
    first, created = capture.add_conclusion(table, data, client_uuid=key)
    again, created_again = capture.add_conclusion(table, data, client_uuid=key.upper())
    db.session.commit()
    assert created and not created_again and first.id == again.id
    assert len(_rows(table)) == 1
    elsewhere, created_elsewhere = capture.add_conclusion(other, data, client_uuid=key)  # per table
    assert created_elsewhere and elsewhere.table_id == other.id


@pytest.mark.parametrize(("text", "code_field"), [
    ("", "text"), ("   \n ", "text"), ("x" * 20_000, "text"), ("\x00\x07\x1b", "text"),
])
def test_bad_text_is_refused(app, text, code_field):
    _event, _session, (table, _other) = _tables()
    with pytest.raises(DomainError) as caught:
        capture.add_conclusion(table, capture.ConclusionInput(text=text))
    assert caught.value.code == "invalid_conclusion" and code_field in caught.value.fields


def test_html_and_control_characters_are_kept_as_text(app):
    _event, _session, (table, _other) = _tables()
    conclusion = _add(table, "<script>alert(1)</script> <b>Transparencia</b>\x07\u202e")
    assert conclusion.text == "<script>alert(1)</script> <b>Transparencia</b>"


def test_bad_themes_uuid_and_version_are_refused(app):
    _event, _session, (table, _other) = _tables()
    with pytest.raises(DomainError) as caught:
        capture.add_conclusion(table, capture.ConclusionInput(text="Ok", theme_ids=[999_999]))
    assert "themes" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        capture.add_conclusion(table, capture.ConclusionInput(text="Ok"), client_uuid="no-es-uuid")
    assert caught.value.code == "invalid_client_uuid"
    conclusion = _add(table)
    for version in (None, "1", 0, True):
        with pytest.raises(DomainError) as caught:
            capture.edit_conclusion(table, conclusion, version, capture.ConclusionInput(text="Otro"))
        assert caught.value.code == "invalid_version"


def test_closed_capture_refuses_every_change(app):
    _event, _session, (table, _other) = _tables()
    conclusion = _add(table)
    tables.set_capture_open(table, False)
    db.session.commit()
    for change in (lambda: capture.add_conclusion(table, capture.ConclusionInput(text="Tarde")),
                   lambda: capture.edit_conclusion(table, conclusion, 1, capture.ConclusionInput(text="Tarde")),
                   lambda: capture.delete_conclusion(table, conclusion, 1),
                   lambda: capture.move_conclusion(table, conclusion, "down")):
        with pytest.raises(DomainError) as caught:
            change()
        assert caught.value.code == "capture_closed"


def test_a_conclusion_of_another_table_is_not_found(app):
    _event, _session, (table, other) = _tables()
    theirs = _add(other, "De la otra mesa")
    with pytest.raises(NotFound):
        capture.get_conclusion(table, theirs.id)
    with pytest.raises(NotFound):
        capture.get_capture_table("no-existe")


# --- the page without JavaScript ---------------------------------------------------------------------------

def test_page_shows_only_its_table_and_unknown_token_is_404(app, client):
    _event, _session, (table, other) = _tables()
    _add(table, "Conclusión de la mesa uno")
    _add(other, "Conclusión de la mesa dos")
    page = client.get(f"/mesa/{table.capture_token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Conclusión de la mesa uno" in html and "Conclusión de la mesa dos" not in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/mesa/no-existe").status_code == 404
    assert client.get("/mesa/" + "x" * 500).status_code == 404


def test_a_link_cannot_write_another_tables_conclusion(app, client):
    _event, _session, (table, other) = _tables()
    theirs = _add(other, "De la otra mesa")
    token = table.capture_token
    edit = client.post(f"/mesa/{token}/conclusiones/{theirs.id}", data={
        f"c{theirs.id}-text": "Secuestrada", f"c{theirs.id}-version": "1"})
    assert edit.status_code == 404
    base = f"/mesa/{token}/conclusiones/{theirs.id}"
    assert client.post(f"{base}/eliminar", data={"version": "1"}).status_code == 404
    assert client.post(f"{base}/mover", data={"direccion": "up"}).status_code == 404
    assert client.get(f"/mesa/{token}/conclusiones/{theirs.id}/eliminar").status_code == 404
    answer = _post_json(client, token, {"op": "edit", "id": theirs.id, "base_version": 1, "text": "Secuestrada"})
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
    answer = _post_json(client, token, {"op": "delete", "id": theirs.id, "base_version": 1})
    assert answer.status_code == 404
    db.session.expire_all()
    assert db.session.get(TableConclusion, theirs.id).text == "De la otra mesa"
    assert db.session.get(TableConclusion, theirs.id).deleted_at is None


def test_add_edit_move_delete_without_javascript(app, client):
    _event, _session, (table, _other) = _tables()
    token = table.capture_token
    theme = consolidation.active_themes()[1]
    added = client.post(f"/mesa/{token}/conclusiones", data={
        "nueva-text": "Primera", "nueva-themes": [str(theme.id)], "nueva-backing_sectors": "academia"})
    assert added.status_code == 302
    client.post(f"/mesa/{token}/conclusiones", data={"nueva-text": "Segunda"})
    first, second = capture.current_conclusions(table)
    assert first.themes == [theme] and first.backing_sectors == "academia"
    saved = client.post(f"/mesa/{token}/conclusiones/{first.id}", data={
        f"c{first.id}-text": "Primera, corregida", f"c{first.id}-version": "1"})
    assert saved.status_code == 302
    moved = client.post(f"/mesa/{token}/conclusiones/{second.id}/mover", data={"direccion": "up"})
    assert moved.status_code == 302
    db.session.expire_all()
    assert [c.text for c in capture.current_conclusions(table)] == ["Segunda", "Primera, corregida"]
    confirm = client.get(f"/mesa/{token}/conclusiones/{second.id}/eliminar")
    assert "¿Eliminar esta conclusión?" in confirm.get_data(as_text=True)
    deleted = client.post(f"/mesa/{token}/conclusiones/{second.id}/eliminar", data={"version": "1"})
    assert deleted.status_code == 302
    db.session.expire_all()
    assert [c.text for c in capture.current_conclusions(table)] == ["Primera, corregida"]


def test_stale_edit_without_javascript_shows_both_texts(app, client):
    _event, _session, (table, _other) = _tables()
    conclusion = _add(table, "Texto original")
    token = table.capture_token
    field = f"c{conclusion.id}"
    assert client.post(f"/mesa/{token}/conclusiones/{conclusion.id}", data={
        f"{field}-text": "Cambio de Ana", f"{field}-version": "1"}).status_code == 302
    stale = client.post(f"/mesa/{token}/conclusiones/{conclusion.id}", data={
        f"{field}-text": "Cambio de Beto", f"{field}-version": "1"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Otra persona cambió esta conclusión" in html
    assert "Cambio de Ana" in html  # the current text, shown beside
    assert "Cambio de Beto</textarea>" in html  # Beto's text kept in the box
    assert f'name="{field}-version" type="hidden" value="2"' in html  # saving again replaces it knowingly
    db.session.expire_all()
    assert db.session.get(TableConclusion, conclusion.id).text == "Cambio de Ana"
    again = client.post(f"/mesa/{token}/conclusiones/{conclusion.id}", data={
        f"{field}-text": "Cambio de Beto", f"{field}-version": "2"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(TableConclusion, conclusion.id).text == "Cambio de Beto"


@pytest.mark.parametrize("text", ["", "x" * 20_000, "\x01\x02"])
def test_bad_input_without_javascript_is_shown_not_500(app, client, text):
    _event, _session, (table, _other) = _tables()
    answer = client.post(f"/mesa/{table.capture_token}/conclusiones", data={"nueva-text": text})
    assert answer.status_code == 422
    assert "Revise el formulario" in answer.get_data(as_text=True)
    assert not _rows(table)


def test_html_is_escaped_on_the_page(app, client):
    _event, _session, (table, _other) = _tables()
    _add(table, "<script>alert(1)</script>")
    html = client.get(f"/mesa/{table.capture_token}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_closed_capture_shows_read_only_and_refuses_posts(app, client):
    _event, _session, (table, _other) = _tables()
    conclusion = _add(table, "Quedó registrada")
    tables.set_capture_open(table, False)
    db.session.commit()
    token = table.capture_token
    page = client.get(f"/mesa/{token}").get_data(as_text=True)
    assert "Captura cerrada." in page and "Quedó registrada" in page
    assert "<textarea" not in page and "capture.js" not in page
    refused = client.post(f"/mesa/{token}/conclusiones", data={"nueva-text": "Llegó tarde"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Captura cerrada." in html
    assert "Su último texto no se guardó" in html and "Llegó tarde" in html  # shown, to copy
    edit = client.post(f"/mesa/{token}/conclusiones/{conclusion.id}", data={
        f"c{conclusion.id}-text": "Tarde", f"c{conclusion.id}-version": "1"})
    assert edit.status_code == 409 and "<textarea" not in edit.get_data(as_text=True)
    assert client.post(f"/mesa/{token}/conclusiones/{conclusion.id}/eliminar",
                       data={"version": "1"}).status_code == 302
    answer = _post_json(client, token, {"op": "add", "text": "Tarde"})
    assert answer.status_code == 409 and answer.json["error"]["code"] == "capture_closed"
    db.session.expire_all()
    assert [c.text for c in _rows(table)] == ["Quedó registrada"]


# --- the JSON endpoint -------------------------------------------------------------------------------------

def test_json_add_is_idempotent_and_edit_checks_the_version(app, client):
    _event, _session, (table, _other) = _tables()
    token = table.capture_token
    key = str(uuid.uuid4())
    payload = {"op": "add", "client_uuid": key, "text": "Desde el teléfono", "themes": [], "backing_sectors": ""}
    first = _post_json(client, token, payload)
    retry = _post_json(client, token, payload)
    assert first.status_code == 201 and first.json["created"] is True
    assert retry.status_code == 200 and retry.json["created"] is False
    assert retry.json["conclusion"]["id"] == first.json["conclusion"]["id"]
    assert len(_rows(table)) == 1
    cid = first.json["conclusion"]["id"]
    ana = _post_json(client, token, {"op": "edit", "id": cid, "base_version": 1, "text": "Ana"})
    assert ana.status_code == 200 and ana.json["conclusion"]["version"] == 2
    beto = _post_json(client, token, {"op": "edit", "id": cid, "base_version": 1, "text": "Beto"})
    assert beto.status_code == 409 and beto.json["error"]["code"] == "stale_edit"
    assert beto.json["current"]["text"] == "Ana" and beto.json["current"]["version"] == 2
    db.session.expire_all()
    assert db.session.get(TableConclusion, cid).text == "Ana"


@pytest.mark.parametrize("payload", [
    None, [], "texto", {"op": "volar"}, {"op": "add"}, {"op": "add", "text": 5},
    {"op": "add", "text": "x" * 20_000}, {"op": "add", "text": "ok", "themes": "1"},
    {"op": "add", "text": "ok", "themes": ["a"]}, {"op": "add", "text": "ok", "client_uuid": 7},
    {"op": "edit", "id": "1", "base_version": 1, "text": "ok"}, {"op": "edit", "id": None},
])
def test_json_bad_input_is_a_json_error_not_500(app, client, payload):
    _event, _session, (table, _other) = _tables()
    answer = client.post(f"/mesa/{table.capture_token}/conclusiones.json", json=payload) if payload is not None \
        else client.post(f"/mesa/{table.capture_token}/conclusiones.json", data="{no es json",
                         content_type="application/json")
    assert 400 <= answer.status_code < 500
    assert answer.is_json and answer.json["error"]["code"]
    assert not _rows(table)


def test_json_endpoint_checks_the_csrf_header(app, client):
    _event, _session, (table, _other) = _tables()
    app.config["WTF_CSRF_ENABLED"] = True
    token = table.capture_token
    refused = _post_json(client, token, {"op": "add", "text": "Sin token"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_invalid"
    page = client.get(f"/mesa/{token}").get_data(as_text=True)
    csrf = page.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
    accepted = _post_json(client, token, {"op": "add", "text": "Con token"}, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201
    assert [c.text for c in _rows(table)] == ["Con token"]


# --- table cards -------------------------------------------------------------------------------------------

def test_table_cards_pdf_has_each_tables_capture_link(app, organizer_client):
    event, session, rows = _tables()
    answer = organizer_client.get(f"/gestion/eventos/{event.slug}/networking/{session.id}/tarjetas.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    assert len(reader.pages) == len(rows)
    for page, table in zip(reader.pages, rows, strict=True):
        text = page.extract_text()
        assert f"Mesa {table.number}" in text and table.capture_token in text.replace("\n", "")
    tables_page = organizer_client.get(f"/gestion/eventos/{event.slug}/networking/{session.id}/mesas")
    assert "Tarjetas de mesa (PDF)" in tables_page.get_data(as_text=True)
