"""Load the demo programme and accounts; running it twice changes nothing."""

import os
from datetime import date, time, timedelta

from sqlalchemy import select

from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.audit.services import record_action
from foros.checkin.services import create_list, ensure_default_lists
from foros.core.time import local_to_utc, local_today
from foros.demo.agenda import seed_programmes
from foros.demo.attendance import publish_past_open_data, seed_session_list
from foros.demo.declarations import seed_declarations
from foros.demo.networking import seed_networking
from foros.demo.people import fill_with_waitlist, seed_checkins, seed_registrations
from foros.events import services as events
from foros.events.models import Event, EventKind, EventStatus, Modality
from foros.events.services import DayInput, EventInput
from foros.extensions import db

DEMO_PASSWORD = os.environ.get("FOROS_DEMO_PASSWORD", "foros-demo-2026")
ORGANIZER_EMAIL = "organizador@foros.demo"
STAFF_EMAIL = "registro@foros.demo"

INSTITUTIONS_FORO = "\n".join([
    "Sistema Nacional de Transparencia",
    "Comité de Participación Ciudadana del Sistema Estatal Anticorrupción",
    "Ayuntamiento anfitrión",
    "Organizaciones de la sociedad civil",
])

FORO_DESCRIPTION = (
    "Foro regional de gobierno abierto con invitados del Sistema Nacional de Transparencia, del Comité "
    "de Participación Ciudadana estatal, del ayuntamiento anfitrión y de la sociedad civil. El foro abre "
    "el camino a la Firma de Declaratoria Conjunta, primer paso para instalar el Secretariado Técnico "
    "Municipal que elaborará el Plan de Acción Municipal."
)

#: The 2023 programme (dates of the regional forums are illustrative; the Jornadas were 6 and 8 June 2023).
PAST_PROGRAMME = [
    ("foro-regional-chimalhuacan-2023", "Foro Regional de Gobierno Abierto — Chimalhuacán", "15031",
     "Auditorio Municipal de Chimalhuacán", [date(2023, 2, 23)]),
    ("foro-regional-cuautitlan-izcalli-2023", "Foro Regional de Gobierno Abierto — Cuautitlán Izcalli",
     "15121", "Centro Cultural de Cuautitlán Izcalli", [date(2023, 3, 16)]),
    ("foro-regional-nicolas-romero-2023", "Foro Regional de Gobierno Abierto — Nicolás Romero", "15060",
     "Auditorio Municipal de Nicolás Romero", [date(2023, 4, 20)]),
    ("foro-regional-villa-guerrero-2023", "Foro Regional de Gobierno Abierto — Villa Guerrero", "15113",
     "Casa de Cultura de Villa Guerrero", [date(2023, 5, 18)]),
]


#: The host municipality of each regional forum (INEGI key → name), for its programme.
FORUM_HOSTS = {"15031": "Chimalhuacán", "15121": "Cuautitlán Izcalli", "15060": "Nicolás Romero",
               "15113": "Villa Guerrero"}


def _ensure_user(email, name, role, events_=()):
    user = accounts.get_user_by_email(email)
    if user is None:
        user = accounts.create_user(email=email, name=name, role=role, password=DEMO_PASSWORD, events=events_)
        return user, True
    return user, False


def _ensure_event(slug, data: EventInput, status: EventStatus, actor) -> tuple[Event, bool]:
    existing = db.session.scalar(select(Event).where(Event.slug == slug))
    if existing is not None:
        return existing, False
    data.slug = slug
    event = events.create_event(data, actor=actor)
    if status in (EventStatus.PUBLISHED, EventStatus.CLOSED):
        events.change_status(event, "publish", actor=actor)
    if status == EventStatus.CLOSED:
        events.change_status(event, "close", actor=actor)
    return event, True


def _days(dates, start=time(9, 0), end=time(14, 0)):
    return [DayInput(d, start, end) for d in dates]


def load_demo_data() -> str:
    """Create what is missing of the demo; return a one-line summary."""
    organizer, _ = _ensure_user(ORGANIZER_EMAIL, "Organizadora Demo", Role.ORGANIZER)
    created = 0

    registrations = 0
    checkins = 0
    for n, (slug, title, key, venue, dates) in enumerate(PAST_PROGRAMME):
        event, new = _ensure_event(slug, EventInput(
            title=title, kind=EventKind.FORO_REGIONAL, municipality_key=key, modality=Modality.PRESENCIAL,
            days=_days(dates), venue=venue, capacity_in_person=250, description=FORO_DESCRIPTION,
            institutions=INSTITUTIONS_FORO,
        ), EventStatus.CLOSED, organizer)
        created += new
        if new:
            registrations += seed_registrations(event, 70 + 15 * n)
            checkins += seed_checkins(event, organizer)

    jornadas, new = _ensure_event("jornadas-gobierno-abierto-2023", EventInput(
        title="Jornadas de Gobierno Abierto 2023", kind=EventKind.JORNADA, municipality_key="15106",
        modality=Modality.HIBRIDA, days=_days([date(2023, 6, 6), date(2023, 6, 8)], time(9, 30), time(15, 0)),
        venue="Centro de Convenciones de Toluca", capacity_in_person=300, capacity_virtual=1000,
        online_url="https://example.org/jornadas-2023",
        description=("Dos jornadas semipresenciales con paneles y una sesión de networking cuyas mesas "
                     "producen conclusiones para la agenda estatal de gobierno abierto."),
        institutions=INSTITUTIONS_FORO.replace("Ayuntamiento anfitrión", "Ayuntamientos del Estado de México"),
    ), EventStatus.CLOSED, organizer)
    created += new
    if new:
        registrations += seed_registrations(jornadas, 160)
        checkins += seed_checkins(jornadas, organizer)
    # Session lists of the 2023 Jornadas: the opening panel (6 June) and the networking session (8 June).
    checkins += seed_session_list(jornadas, organizer, day=jornadas.days[0], name="Panel inaugural",
                                  slug="panel-inaugural", at=time(10, 30), share=0.85)
    checkins += seed_session_list(jornadas, organizer, day=jornadas.days[1], name="Sesión de networking",
                                  slug="networking", at=time(12, 0), share=0.6)

    today = local_today()
    upcoming = [
        ("foro-regional-texcoco", EventInput(
            title="Foro Regional de Gobierno Abierto — Texcoco", kind=EventKind.FORO_REGIONAL,
            municipality_key="15099", modality=Modality.PRESENCIAL, days=_days([today + timedelta(days=21)]),
            venue="Auditorio Municipal de Texcoco", address="Centro, Texcoco, Estado de México",
            capacity_in_person=150, description=FORO_DESCRIPTION, institutions=INSTITUTIONS_FORO,
            registration_closes_at=local_to_utc(today + timedelta(days=20), time(23, 59)),
        )),
        ("firma-declaratoria-chimalhuacan", EventInput(
            title="Firma de Declaratoria Conjunta — Chimalhuacán", kind=EventKind.FIRMA_DECLARATORIA,
            municipality_key="15031", modality=Modality.PRESENCIAL, days=_days([today + timedelta(days=35)],
                                                                                time(11, 0), time(13, 0)),
            venue="Palacio Municipal de Chimalhuacán", capacity_in_person=80,
            description=("Firma de la Declaratoria Conjunta de Gobierno Abierto por la presidencia "
                         "municipal y las demás personas signatarias."),
            institutions=INSTITUTIONS_FORO,
        )),
        ("jornadas-gobierno-abierto", EventInput(
            title=f"Jornadas de Gobierno Abierto {(today + timedelta(days=60)).year}", kind=EventKind.JORNADA,
            municipality_key="15106", modality=Modality.HIBRIDA,
            days=_days([today + timedelta(days=60), today + timedelta(days=61)], time(9, 30), time(15, 0)),
            venue="Centro de Convenciones de Toluca", capacity_in_person=300, capacity_virtual=1000,
            online_url="https://example.org/jornadas",
            description="Paneles, sesión de networking y conclusiones por mesa para la agenda estatal.",
            institutions=INSTITUTIONS_FORO,
        )),
    ]
    upcoming.append(("taller-gobierno-abierto-metepec", EventInput(
        title="Taller de Gobierno Abierto para Unidades de Transparencia — Metepec", kind=EventKind.OTHER,
        municipality_key="15054", modality=Modality.PRESENCIAL, days=_days([today + timedelta(days=14)],
                                                                            time(10, 0), time(13, 0)),
        venue="Sala de capacitación, Metepec", capacity_in_person=20,
        description="Taller práctico con cupo limitado. Cuando se llena, el registro continúa en lista de espera.",
        institutions=INSTITUTIONS_FORO,
    )))
    for slug, data in upcoming:
        event, new = _ensure_event(slug, data, EventStatus.PUBLISHED, organizer)
        created += new
        if new and slug == "taller-gobierno-abierto-metepec":
            registrations += fill_with_waitlist(event, confirmed=20, waiting=6)
        if new:
            ensure_default_lists(event)  # the door is ready before the day
        if new and slug == "jornadas-gobierno-abierto":
            create_list(event, name="Sesión de networking", slug="networking", day=event.days[1],
                        modalities=["presencial"], actor=organizer)

    # The programmes: the 2023 Jornadas, each regional forum, the upcoming Jornadas (released, then changed).
    forums = {slug: FORUM_HOSTS[key] for slug, _title, key, _venue, _dates in PAST_PROGRAMME}
    sessions = seed_programmes(organizer, forums=forums | {"foro-regional-texcoco": "Texcoco"})
    # Networking tables and published conclusions (2023 Jornadas, Chimalhuacán) and the state agenda from them.
    conclusions = seed_networking(organizer)
    # Joint declarations of the four 2023 forums' municipalities (one signed and sealed) and their processes.
    declarations = seed_declarations(organizer)
    publish_past_open_data(organizer)  # the past events' figures, as organizers publish them after the event

    texcoco = db.session.scalar(select(Event).where(Event.slug == "foro-regional-texcoco"))
    _staff, staff_new = _ensure_user(STAFF_EMAIL, "Personal de Registro Demo", Role.STAFF, [texcoco])
    if created or staff_new:
        record_action(organizer, "demo.load", None, object_type="demo", label="Datos de demostración",
                      details={"events_created": created})
    return (f"Demo lista: {created} eventos nuevos, {registrations} registros nuevos, {checkins} accesos, "
            f"{sessions} sesiones de programa nuevas, {conclusions} conclusiones de networking publicadas, "
            f"{declarations} declaratorias nuevas. "
            f"Cuentas: {ORGANIZER_EMAIL} y {STAFF_EMAIL}.")
