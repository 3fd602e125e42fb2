"""Logs carry no secrets and no personal data: an unexpected error names the route, not the ticket link."""

import logging

import pytest

from foros.core.redact import redact_emails, redact_path
from foros.extensions import db
from foros.registration import lifecycle, signup
from foros.registration.inputs import RegistrationInput
from tests.conftest import make_event


def test_an_error_on_a_ticket_link_logs_the_route_not_the_secret(app, client, caplog, monkeypatch):
    event = make_event()
    result = signup.register_attendee(event, RegistrationInput(
        name="Ana Pérez", email="ana@example.org", sector="sociedad_civil", municipality_key="15031",
        privacy_consent=True))
    db.session.commit()
    token = result.current.access_token

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(lifecycle, "get_by_token", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/boleto/{token}")

    assert response.status_code == 500
    assert "Unhandled error on GET /boleto/<token>" in caplog.text
    assert token not in caplog.text


@pytest.mark.parametrize(("path", "expected"), [
    ("/boleto/Zx8_kQ2mP0aLw9vRtY3uBnC4/boleto.pdf", "/boleto/[secreto]/boleto.pdf"),
    ("/eventos/foro-regional-de-gobierno-abierto-chimalhuacan/registro",
     "/eventos/foro-regional-de-gobierno-abierto-chimalhuacan/registro"),
    ("/gestion/eventos/15/registros", "/gestion/eventos/15/registros"),
])
def test_redact_path_hides_token_segments_only(path, expected):
    assert redact_path(path) == expected


def test_redact_emails_keeps_the_domain():
    assert redact_emails("550 5.1.1 <ana.p+x@mail.example.org>: unknown") == \
        "550 5.1.1 <[correo]@mail.example.org>: unknown"
