"""Open data: publication, and the suppression rule in every output (page, CSV, JSON)."""

import csv
import io
import random
import re

import pytest
from sqlalchemy import select

from foros.audit.models import AuditEntry
from foros.core.errors import DomainError
from foros.extensions import db
from foros.stats import opendata
from foros.stats.opendata import THRESHOLD, Cell, suppress
from tests.conftest import csrf_token_from, make_event
from tests.stats.conftest import build_past_event


def _assert_table_safe(rows: list[dict[str, Cell]], total: dict[str, Cell]):
    """The rule's promises for one table: no shown 1–4, rows consistent, hidden cells never alone or small."""
    for row in [*rows, total]:
        for cell in row.values():
            assert cell.hidden or not 0 < cell.value < THRESHOLD
        if row["registered"].hidden:
            assert row["admitted"].hidden
        elif not row["admitted"].hidden:
            assert not 0 < row["registered"].value - row["admitted"].value < THRESHOLD
    for measure in ("registered", "admitted"):
        if total[measure].hidden:
            continue
        hidden = [r[measure].value for r in rows if r[measure].hidden]
        assert not hidden or (len(hidden) >= 2 and sum(hidden) >= THRESHOLD), (measure, hidden)


def test_secondary_suppression_protects_a_cell_the_total_would_reveal():
    tables, total = suppress({"sector": [{"registered": 12, "admitted": 10}, {"registered": 3, "admitted": 0}]},
                             {"registered": 15, "admitted": 10}, additive={"sector"})
    big, small = tables["sector"]
    assert small["registered"].hidden and big["registered"].hidden  # 15 - 12 would give the 3 away
    assert small["admitted"].hidden  # 0 of a hidden 3 would tell that none of them came
    _assert_table_safe(tables["sector"], total)


def test_two_small_hidden_cells_are_not_left_to_add_up_to_less_than_five():
    rows = [{"registered": 20, "admitted": 20}, {"registered": 1, "admitted": 1}, {"registered": 1, "admitted": 1}]
    tables, total = suppress({"t": rows}, {"registered": 22, "admitted": 22}, additive={"t"})
    assert all(r["registered"].hidden for r in tables["t"])  # 1 + 1 < 5: the 20 goes too
    _assert_table_safe(tables["t"], total)


@pytest.mark.parametrize("seed", range(60))
def test_suppression_rule_holds_on_random_tables(seed):
    rnd = random.Random(seed)
    raw = {}
    for name in ("a", "b"):
        rows = []
        for _ in range(rnd.randint(1, 6)):
            registered = rnd.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40])
            rows.append({"registered": registered, "admitted": rnd.randint(0, registered)})
        raw[name] = rows
    total = {m: sum(r[m] for r in raw["a"]) for m in ("registered", "admitted")}
    raw["b"] = raw["b"]  # a table not additive to the total (like the days)
    tables, total_cells = suppress(raw, total, additive={"a"})
    _assert_table_safe(tables["a"], total_cells)
    for row in tables["b"]:
        for cell in row.values():
            assert cell.hidden or not 0 < cell.value < THRESHOLD


def _shown_numbers_in_tables(html: str) -> list[int]:
    cells = re.findall(r'<td class="num">\s*([^<]*?)\s*</td>', html) + re.findall(r"<dd>\s*([^<]*?)\s*</dd>", html)
    return [int(c.replace(",", "")) for c in cells if c.replace(",", "").isdigit()]


def _assert_no_small_figure(client, slug_or_none):
    base = f"/datos-abiertos/{slug_or_none}" if slug_or_none else "/datos-abiertos"
    page = client.get(base)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = _shown_numbers_in_tables(html)
    assert shown and all(not 0 < n < THRESHOLD for n in shown), shown
    assert "Dato reservado" in html
    for title in re.findall(r"<title>([^<]*)</title>", html):
        match = re.search(r": ([\d,]+)$", title)
        assert not match or not 0 < int(match.group(1).replace(",", "")) < THRESHOLD, title
    response = client.get(base + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows
    for row in rows:
        if row["suprimido"] == "1":
            assert row["valor"] == ""
        else:
            assert not 0 < int(row["valor"]) < THRESHOLD, row
    data = client.get(base + ".json").get_json()

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"valor", "suprimido"}:
                assert (node["valor"] is None) == node["suprimido"]
                assert node["valor"] is None or not 0 < node["valor"] < THRESHOLD, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(data)
    return html, rows, data


def test_no_cell_of_one_to_four_people_leaves_in_any_output(client, organizer):
    first = build_past_event(organizer, slug="foro-uno")
    second = build_past_event(organizer, slug="foro-dos")
    for event in (first, second):
        opendata.publish_open_data(event, actor=organizer)
    db.session.commit()
    html, rows, data = _assert_no_small_figure(client, "foro-uno")
    assert data["total"] == {"registradas": {"valor": 21, "suprimido": False},
                             "asistentes": {"valor": 14, "suprimido": False}}
    sector = {r["clave"]: r for r in data["tablas"]["sector"]}
    assert sector["academia"]["registradas"] == {"valor": None, "suprimido": True}  # 3 people
    assert sector["estudiante"]["registradas"]["suprimido"]  # 6, but 21 - 12 - 6 would reveal the 3
    assert "Estudiante" not in html or "Funcionaria" not in html  # no personal data, of course
    assert not any("example.org" in str(r) for r in rows)
    _html, _rows, across = _assert_no_small_figure(client, None)
    assert across["total"]["registradas"]["valor"] == 42
    assert {e["clave"] for e in across["eventos"]} == {"foro-uno", "foro-dos"}


def test_only_published_past_events_have_open_data(client, organizer):
    event = build_past_event(organizer)
    assert client.get(f"/datos-abiertos/{event.slug}").status_code == 404
    assert client.get(f"/datos-abiertos/{event.slug}.json").status_code == 404
    future = make_event(slug="foro-futuro")
    with pytest.raises(DomainError) as excinfo:
        opendata.publish_open_data(future, actor=organizer)
    assert excinfo.value.code == "open_data_not_ready"
    opendata.publish_open_data(event, actor=organizer)
    db.session.commit()
    assert client.get(f"/datos-abiertos/{event.slug}").status_code == 200
    assert event.slug in client.get("/datos-abiertos").get_data(as_text=True)
    opendata.withdraw_open_data(event, actor=organizer)
    db.session.commit()
    assert client.get(f"/datos-abiertos/{event.slug}.csv").status_code == 404
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["event.open_data_publish", "event.open_data_withdraw"]


def test_organizer_publishes_from_the_statistics_page(organizer_client, past_event):
    url = f"/gestion/eventos/{past_event.slug}/estadisticas"
    token = csrf_token_from(organizer_client.get(url).get_data(as_text=True))
    response = organizer_client.post(f"/gestion/eventos/{past_event.slug}/datos-abiertos",
                                     data={"csrf_token": token, "accion": "publicar"})
    assert response.status_code == 302
    db.session.refresh(past_event)
    assert past_event.open_data_published_at is not None
    assert "Retirar datos abiertos" in organizer_client.get(url).get_data(as_text=True)


def test_publishing_a_future_event_is_refused_with_a_message(organizer_client):
    event = make_event(slug="foro-futuro")
    url = f"/gestion/eventos/{event.slug}/estadisticas"
    token = csrf_token_from(organizer_client.get(url).get_data(as_text=True))
    response = organizer_client.post(f"/gestion/eventos/{event.slug}/datos-abiertos",
                                     data={"csrf_token": token, "accion": "publicar"}, follow_redirects=True)
    assert response.status_code == 200
    assert "ya terminaron" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.open_data_published_at is None


def test_data_dictionary_page_csv_and_json(client):
    assert "Regla de supresión" in client.get("/datos-abiertos/diccionario").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/datos-abiertos/diccionario.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["campo"] for r in rows} == {c.key for c in opendata.CSV_COLUMNS}
    assert client.get("/datos-abiertos/diccionario.json").get_json()["umbral_supresion"] == 5
