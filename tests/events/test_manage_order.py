"""The organizer's event list reads like a programme: upcoming soonest first, then past most recent first."""

import re
from datetime import time, timedelta

from foros.core.time import local_today
from foros.events.services import DayInput
from tests.conftest import make_event


def _day(offset: int) -> list[DayInput]:
    return [DayInput(local_today() + timedelta(days=offset), time(9), time(14))]


def test_event_list_is_in_date_order(organizer_client):
    # Created in an order that is neither by date nor its reverse (the list used to go by creation).
    make_event(title="Foro en dos semanas", days=_day(14))
    make_event(title="Foro de hace un año", days=_day(-365))
    make_event(title="Foro mañana", days=_day(1), publish=False)
    make_event(title="Foro de la semana pasada", days=_day(-7))
    make_event(title="Foro en un mes", days=_day(30))
    html = organizer_client.get("/gestion/eventos").get_data(as_text=True)
    titles = re.findall(r">(Foro [^<]+)</a>", html)
    assert titles == ["Foro mañana", "Foro en dos semanas", "Foro en un mes",
                      "Foro de la semana pasada", "Foro de hace un año"]
    assert html.index("Próximos y en curso") < html.index("Foro mañana") < html.index("Pasados")


def test_filtered_list_keeps_the_order(organizer_client):
    make_event(title="Foro B", days=_day(20))
    make_event(title="Foro A", days=_day(3))
    make_event(title="Foro borrador", days=_day(5), publish=False)
    html = organizer_client.get("/gestion/eventos?estado=published").get_data(as_text=True)
    assert re.findall(r">(Foro [^<]+)</a>", html) == ["Foro A", "Foro B"]
    assert "Pasados" not in html
