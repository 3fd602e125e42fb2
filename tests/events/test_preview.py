"""Organizers preview a draft (or archived) event's public page; everyone else still gets 404."""

import pytest

from foros.events import services
from foros.extensions import db
from tests.conftest import make_event

BANNER = "Vista previa: borrador, no es público."


@pytest.fixture
def draft(app):
    return make_event(title="Foro aún en borrador", publish=False)


def test_organizer_previews_a_draft_with_a_banner(organizer_client, draft):
    response = organizer_client.get(f"/eventos/{draft.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert BANNER in html and "Foro aún en borrador" in html
    assert "Registrarme" not in html  # nobody can register to a draft, not even from the preview
    edit = organizer_client.get(f"/gestion/eventos/{draft.slug}").get_data(as_text=True)
    assert "Vista previa de la página pública" in edit


def test_archived_event_preview_says_archived(organizer_client, organizer):
    event = make_event(title="Foro archivado")
    services.change_status(event, "close", actor=organizer)
    services.change_status(event, "archive", actor=organizer)
    db.session.commit()
    html = organizer_client.get(f"/eventos/{event.slug}").get_data(as_text=True)
    assert "Vista previa: archivado, no es público." in html


def test_published_event_has_no_banner(organizer_client):
    event = make_event()
    assert "Vista previa" not in organizer_client.get(f"/eventos/{event.slug}").get_data(as_text=True)


def test_anonymous_and_staff_still_get_404(client, staff_client, draft):
    assert client.get(f"/eventos/{draft.slug}").status_code == 404
    assert staff_client.get(f"/eventos/{draft.slug}").status_code == 404
    assert client.get(f"/api/v1/events/{draft.slug}").status_code == 404
    assert client.get(f"/eventos/{draft.slug}/registro").status_code == 404
