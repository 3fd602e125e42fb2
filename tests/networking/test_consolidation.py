"""Consolidation, publication, support marks, relatoría, state agenda and the API (issue 14, points 3-7)."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from foros.agenda.models import Session, SessionType
from foros.core.errors import DomainError
from foros.core.time import utcnow
from foros.extensions import db
from foros.networking import consolidation as services
from foros.networking import state_agenda as agendas
from foros.networking.models import ConclusionSupport, HistoryAction, NetworkingTable, TableConclusion
from foros.networking.similarity import likely_duplicates, similarity
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.conftest import make_event

TEXTS = {
    1: ["La necesidad de incluir a toda la ciudadanía (estudiantes, empresarios y sociedad civil) en las "
        "decisiones del gobierno", "Capacitar a servidores públicos en datos abiertos"],
    2: ["Incluir a la ciudadanía, estudiantes y empresarios, en las decisiones de gobierno",
        "No perder de vista a grupos vulnerables y dar atención a comunidades sin acceso a internet"],
}


def _networking(event, *, running=False):
    kind = db.session.scalar(select(SessionType).where(SessionType.key == "networking"))
    start = utcnow() - timedelta(minutes=30) if running else event.days[0].starts_at
    session = Session(event_id=event.id, type_id=kind.id, title="Intercambio de Experiencias",
                      starts_at=start, ends_at=start + timedelta(hours=2))
    db.session.add(session)
    db.session.flush()
    for number, texts in TEXTS.items():
        table = NetworkingTable(session_id=session.id, number=number, topic=f"Tema {number}")
        db.session.add(table)
        db.session.flush()
        for i, text in enumerate(texts):
            db.session.add(TableConclusion(table_id=table.id, text=text, position=i))
    db.session.flush()
    return session


@pytest.fixture
def session(app, organizer):
    event = make_event()
    s = _networking(event, running=True)
    services.import_originals(s, actor=organizer)
    db.session.commit()
    return s


def _by_text(session, start):
    return next(c for c in services.consolidated_conclusions(session) if c.text.startswith(start))


def test_similarity_offers_the_near_duplicate_first(session):
    assert similarity(TEXTS[1][0], TEXTS[2][0]) > 0.45
    assert similarity(TEXTS[1][1], TEXTS[2][1]) < 0.2
    best = likely_duplicates(services.consolidated_conclusions(session))[0]
    assert {best.first.text, best.second.text} == {TEXTS[1][0], TEXTS[2][0]}


def test_merge_and_split_keep_provenance_and_history(session, organizer):
    a, b = _by_text(session, "La necesidad"), _by_text(session, "Incluir a la")
    originals = {s.id for s in a.sources + b.sources}
    merged = services.merge_conclusions([a, b], actor=organizer,
                                        text="Incluir a toda la ciudadanía en las decisiones")
    db.session.commit()
    assert {s.id for s in merged.sources} == originals
    assert services.source_tables(merged) == [1, 2]
    assert len(services.consolidated_conclusions(session)) == 3
    step = merged.history[-1]
    assert step.action == HistoryAction.MERGED and step.user_id == organizer.id
    assert step.details["merged_texts"] == [TEXTS[2][0]] and step.details["before"] == TEXTS[1][0]

    table2 = next(s for s in merged.sources if s.table.number == 2)
    new = services.split_conclusion(merged, [table2.id], actor=organizer)
    db.session.commit()
    assert [s.id for s in new.sources] == [table2.id] and new.text == TEXTS[2][0]
    assert services.source_tables(merged) == [1]
    assert merged.history[-1].action == HistoryAction.SPLIT and new.history[-1].details["split_from"] == merged.id
    with pytest.raises(DomainError) as exc:
        services.split_conclusion(merged, [s.id for s in merged.sources], actor=organizer)
    assert exc.value.code == "split_keeps_one"


def test_edit_records_before_and_after_and_refuses_bad_text(session, organizer):
    c = services.consolidated_conclusions(session)[0]
    services.edit_conclusion(c, text="Nueva redacción", theme_ids=[], actor=organizer)
    assert c.history[-1].details == {"before": TEXTS[1][0], "after": "Nueva redacción"}
    for bad, code in [("   ", "conclusion_empty"), ("x" * 20000, "conclusion_too_long")]:
        with pytest.raises(DomainError) as exc:
            services.edit_conclusion(c, text=bad, theme_ids=[], actor=organizer)
        assert exc.value.code == code


def test_publication_shows_only_approved(session, organizer, client):
    first, second = services.consolidated_conclusions(session)[:2]
    with pytest.raises(DomainError):
        services.publish_conclusions(session, actor=organizer)
    services.approve_conclusion(second, actor=organizer)
    assert services.publish_conclusions(session, actor=organizer) == 1
    db.session.commit()
    assert services.published_conclusions(session) == [second]
    page = client.get(f"/eventos/{session.event.slug}/conclusiones").get_data(as_text=True)
    assert second.text in page and first.text not in page
    api = client.get(f"/api/v1/events/{session.event.slug}/conclusions").get_json()
    [item] = api["sessions"][0]["conclusions"]
    assert item == {**item, "number": 1, "text": second.text, "tables": [1]}
    # Editing a published conclusion takes it off the public page until approved again.
    services.edit_conclusion(second, text="Otra redacción", theme_ids=[], actor=organizer)
    db.session.commit()
    assert services.published_conclusions(session) == []


def _attendee(event, email):
    person = RegistrationInput(name="Persona Apoyo", email=email, sector="ciudadania", municipality_key="15031",
                               privacy_consent=True)
    return register_attendee(event, person).registration


def test_support_one_mark_per_person_and_counts(session, organizer, client):
    conclusions = services.consolidated_conclusions(session)
    for c in conclusions:
        services.approve_conclusion(c, actor=organizer)
    services.publish_conclusions(session, actor=organizer)
    one, two = _attendee(session.event, "a@example.org"), _attendee(session.event, "b@example.org")
    db.session.commit()
    services.set_supports(one, session, [conclusions[0].id, conclusions[0].id, conclusions[1].id])
    services.set_supports(one, session, [conclusions[0].id, conclusions[1].id])
    services.set_supports(two, session, [conclusions[0].id])
    db.session.commit()
    assert db.session.query(ConclusionSupport).count() == 3
    assert services.support_counts(session) == {conclusions[0].id: 2, conclusions[1].id: 1}
    assert services.relatoria_of(session).conclusions[0].supports == 2
    # From the ticket link: the page lists the conclusions; unchecking removes the mark.
    page = client.get(f"/boleto/{one.access_token}/conclusiones")
    assert page.status_code == 200 and conclusions[0].text in page.get_data(as_text=True)
    services.set_supports(one, session, [])
    db.session.commit()
    assert services.support_counts(session) == {conclusions[0].id: 1}


def test_support_closed_after_the_session(app, organizer):
    event = make_event()
    s = _networking(event)
    s.starts_at, s.ends_at = utcnow() - timedelta(hours=5), utcnow() - timedelta(hours=4)
    services.import_originals(s, actor=organizer)
    c = services.consolidated_conclusions(s)[0]
    services.approve_conclusion(c, actor=organizer)
    services.publish_conclusions(s, actor=organizer)
    person = _attendee(event, "tarde@example.org")
    with pytest.raises(DomainError) as exc:
        services.set_supports(person, s, [c.id])
    assert exc.value.code == "support_closed"


def test_relatoria_pdf_and_xlsx_contain_the_numbered_list(session, organizer, organizer_client):
    conclusions = services.consolidated_conclusions(session)
    for c in conclusions[:3]:
        services.approve_conclusion(c, actor=organizer)
    services.publish_conclusions(session, actor=organizer)
    db.session.commit()
    base = f"/gestion/eventos/{session.event.slug}/networking/{session.id}/conclusiones/relatoria"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(organizer_client.get(base + ".pdf").data)).pages)
    flat = " ".join(text.split())
    for i, c in enumerate(conclusions[:3], start=1):
        assert f"{i}. {' '.join(c.text.split())[:40]}" in flat
    assert conclusions[3].text[:30] not in flat.split("Anexo")[0]
    assert "Anexo" in flat and "Mesa 2" in flat
    sheet = load_workbook(io.BytesIO(organizer_client.get(base + ".xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Número", "Conclusión")
    assert [(r[0], r[1]) for r in rows[1:]] == [(i, c.text) for i, c in enumerate(conclusions[:3], start=1)]
    data = organizer_client.get(base + ".json").get_json()
    assert [c["number"] for c in data["conclusions"]] == [1, 2, 3]


def test_organizer_pages_need_an_organizer(app, session, staff_client, organizer_client):
    url = f"/gestion/eventos/{session.event.slug}/networking/{session.id}/conclusiones"
    assert app.test_client().get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
    page = organizer_client.get(url)
    assert page.status_code == 200 and "Posibles duplicados" in page.get_data(as_text=True)


def test_state_agenda_grouped_by_theme_and_traced(session, organizer, client):
    conclusions = services.consolidated_conclusions(session)
    for c in conclusions[:2]:
        services.approve_conclusion(c, actor=organizer)
    services.publish_conclusions(session, actor=organizer)
    agenda = agendas.create_agenda("Agenda estatal 2024", actor=organizer)
    with pytest.raises(DomainError):
        agendas.add_conclusions(agenda, [conclusions[3].id], actor=organizer)  # not published
    assert agendas.add_conclusions(agenda, [c.id for c in conclusions[:2]], actor=organizer) == 2
    agendas.publish_agenda(agenda, actor=organizer)
    db.session.commit()
    document = agendas.agenda_document(agenda)
    assert [i.origins[0].tables for i in document.items] == [[1], [1]]
    assert client.get("/agenda-estatal").status_code == 200
    api = client.get("/api/v1/agenda-estatal").get_json()
    assert api["title"] == "Agenda estatal 2024"
    assert api["items"][0]["origins"][0]["event"] == session.event.slug
    pdf = client.get(f"/agenda-estatal/{agenda.public_key}/agenda.pdf")
    assert conclusions[0].text[:30] in " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    xlsx = load_workbook(io.BytesIO(client.get(f"/agenda-estatal/{agenda.public_key}/agenda.xlsx").data)).active
    assert list(xlsx.iter_rows(values_only=True))[1][2] == conclusions[0].text
