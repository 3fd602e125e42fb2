"""List filters read from the address: a filter left out means "all", never an error under the select."""

import pytest

from foros.core.forms import INVALID_CHOICE
from foros.events.models import Modality
from tests.conftest import make_event


@pytest.fixture
def event(app):
    return make_event(modality=Modality.HIBRIDA, capacity_in_person=None, capacity_virtual=None)


@pytest.mark.parametrize("query", ["", "?q=Ana", "?estado=confirmed", "?estado=&sector=", "?pagina=2"])
def test_registrations_filters_show_no_error_when_left_out(organizer_client, event, query):
    response = organizer_client.get(f"/gestion/eventos/{event.slug}/registros{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert INVALID_CHOICE not in html and 'aria-invalid="true"' not in html


def test_registrations_filter_with_an_unknown_value_still_says_so(organizer_client, event):
    html = organizer_client.get(f"/gestion/eventos/{event.slug}/registros?estado=nada").get_data(as_text=True)
    assert html.count(INVALID_CHOICE) == 1


@pytest.mark.parametrize("query", ["", "?texto=foro", "?accion=event.create", "?persona=&desde="])
def test_audit_filters_show_no_error_when_left_out(organizer_client, event, query):
    response = organizer_client.get(f"/gestion/bitacora{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert INVALID_CHOICE not in html and "Revise el formulario" not in html


@pytest.mark.parametrize("query", ["", "?q=a", "?estado=", "?estado=nada"])
def test_outbox_filters_show_no_error_when_left_out(organizer_client, query):
    response = organizer_client.get(f"/gestion/correos{query}")
    assert response.status_code == 200
    assert INVALID_CHOICE not in response.get_data(as_text=True)
