"""Bad input on the declarations' organizer forms (issue 15): a Spanish message next to the field, what was typed
kept, never a 500 — the hand-made probe of the audit, kept as a test."""

import pytest

from foros.declarations.models import SignatoryStatus
from tests.declarations.test_signing import csrf_token_from, open_declaration


@pytest.mark.parametrize("day, at, message", [
    ("9999-12-31", "23:59", "entre los años 2000 y 2100"),  # the local→UTC conversion overflowed: a 500
    ("0001-01-01", "00:00", "entre los años 2000 y 2100"),
    ("mañana", "25:99", "Fecha no válida"),
    ("", "", "Indique la fecha."),
])
def test_an_autograph_signature_with_an_impossible_date_is_refused_in_spanish(
        app, organizer, organizer_client, day, at, message):
    declaration = open_declaration(organizer, [("Ana Alcaldesa", "")])
    ana = declaration.signatories[0]
    url = f"/gestion/declaratorias/{declaration.id}"
    page = organizer_client.get(f"{url}/firmas").get_data(as_text=True)
    answer = organizer_client.post(f"{url}/firmantes/{ana.id}/autografa", data={
        "csrf_token": csrf_token_from(page), f"s{ana.id}-day": day, f"s{ana.id}-at": at})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and message in html
    if day:
        assert f'value="{day}"' in html  # what was typed is kept
    assert ana.status == SignatoryStatus.PENDING
