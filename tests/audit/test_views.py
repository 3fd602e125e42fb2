"""Organizers read and filter the audit log."""

from foros.audit.services import record_action
from foros.extensions import db
from tests.conftest import make_event


def test_audit_log_lists_and_filters(organizer_client, organizer):
    make_event(title="Foro Chimalhuacán", actor=organizer)
    make_event(title="Foro Texcoco", slug="foro-texcoco", actor=organizer)
    record_action(None, "user.create", None, object_type="user", label="persona@example.org")
    db.session.commit()

    html = organizer_client.get("/gestion/bitacora").get_data(as_text=True)
    assert "Creó evento" in html and "Publicó evento" in html and "Foro Texcoco" in html

    html = organizer_client.get("/gestion/bitacora?accion=event.publish&texto=Texcoco").get_data(as_text=True)
    assert "Foro Texcoco" in html and "Foro Chimalhuacán" not in html and "1 registros" in html

    html = organizer_client.get("/gestion/bitacora?objeto=user").get_data(as_text=True)
    assert "persona@example.org" in html and "Foro Texcoco" not in html

    html = organizer_client.get(f"/gestion/bitacora?persona={organizer.id}").get_data(as_text=True)
    assert "persona@example.org" not in html


def test_audit_filters_by_date_and_rejects_bad_dates(organizer_client, organizer):
    make_event(actor=organizer)
    assert "0 registros" in organizer_client.get("/gestion/bitacora?hasta=2000-01-01").get_data(as_text=True)
    response = organizer_client.get("/gestion/bitacora?desde=ayer")
    assert response.status_code == 422 and "Revise el formulario" in response.get_data(as_text=True)


def test_text_filter_treats_wildcards_literally(organizer_client, organizer):
    make_event(title="Foro 100% abierto", actor=organizer)
    make_event(title="Foro cerrado", slug="foro-cerrado", actor=organizer)
    html = organizer_client.get("/gestion/bitacora?texto=100%25").get_data(as_text=True)
    assert "Foro 100% abierto" in html and "Foro cerrado" not in html


def test_every_recorded_action_has_a_spanish_label():
    """A new action recorded by a service must get its label, or the audit page would show a raw code."""
    import re
    from pathlib import Path

    import foros
    from foros.audit.services import ACTION_LABELS

    recorded = set()
    for path in Path(foros.__file__).parent.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'record_action\(\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"', source))
        recorded |= set(re.findall(r'_TRANSITIONS = \{.*?\}', source, re.S) and
                        re.findall(r'"(event\.[a-z]+)"\)', source))
    assert recorded and recorded <= set(ACTION_LABELS), sorted(recorded - set(ACTION_LABELS))
