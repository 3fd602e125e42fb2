"""Demo programmes: the 2023 Jornadas (the opening panel on 6 June, the networking session on 8 June), one
programme per regional forum, and the upcoming Jornadas with a released version and a later change.

The people are invented, generic officials and members of the institutions that take part (national
transparency system, state citizen-participation committee, host municipality, civil society): no real
person's data. Running it twice changes nothing (an event that already has sessions is left as it is).
"""

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select

from foros.agenda import people as agenda_people
from foros.agenda import sessions as agenda_sessions
from foros.agenda.models import Person, Session, SessionType
from foros.agenda.releases import release_programme
from foros.events.models import Event
from foros.extensions import db


@dataclass(frozen=True)
class DemoPerson:
    name: str
    cargo: str
    institution: str
    bio: str = ""
    email: str = ""


SNT = DemoPerson("Mtra. Elena Ruiz Castañeda", "Comisionada", "Sistema Nacional de Transparencia",
                 "Comisionada con trayectoria en acceso a la información y transparencia proactiva en gobiernos "
                 "locales.")
CPC = DemoPerson("Dr. Andrés Salgado Ríos", "Integrante", "Comité de Participación Ciudadana del Sistema "
                 "Estatal Anticorrupción", "Investigador en participación ciudadana y control social.")
INSTITUTE = DemoPerson("Lic. Mariana Ortega Fuentes", "Comisionada Presidenta",
                       "Instituto de Transparencia del Estado de México",
                       "Impulsa la agenda de gobierno abierto en los municipios del Estado de México.")
COMMISSIONER = DemoPerson("Mtro. Jorge Luna Barrera", "Comisionado",
                          "Instituto de Transparencia del Estado de México")
CIVIL = DemoPerson("Lic. Sofía Herrera Paz", "Coordinadora", "Red ciudadana por la apertura (sociedad civil)",
                   "Acompaña ejercicios de cocreación entre gobiernos locales y organizaciones.")
ACADEMIA = DemoPerson("Dra. Patricia Vega Morales", "Profesora investigadora", "Universidad pública estatal",
                      "Estudia la gobernanza y los modelos de Estado abierto.")
FACILITATOR = DemoPerson("Mtro. Ricardo Núñez Olvera", "Facilitador", "Secretaría Técnica de Gobierno Abierto")
FACILITATOR_2 = DemoPerson("Lic. Daniela Campos Ibarra", "Facilitadora", "Secretaría Técnica de Gobierno Abierto")

OPENING_PANEL = "¿Gobierno abierto o Estado abierto? Rumbo a un nuevo paradigma de gobernanza"
NETWORKING = "Intercambio de Experiencias para Articular la Agenda Estatal de Apertura"


def _person(data: DemoPerson) -> Person:
    existing = db.session.scalar(select(Person).where(Person.name == data.name))
    if existing is not None:
        return existing  # kept once, reused across events
    return agenda_people.save_person(agenda_people.PersonInput(
        name=data.name, cargo=data.cargo, institution=data.institution, bio=data.bio, email=data.email))


def _host(municipality: str) -> DemoPerson:
    return DemoPerson(f"Representante de la Presidencia Municipal de {municipality}", "Presidencia municipal",
                      f"Ayuntamiento de {municipality}")


def _room(event: Event, name: str, *, for_venue: bool = False):
    existing = next((r for r in agenda_sessions.event_rooms(event) if r.name == name), None)
    return existing or agenda_sessions.create_room(event, name=name, capacity=None, for_venue=for_venue)


def _session(event, day, title, type_key, starts, ends, *, room=None, people=(), modality="presencial",
             online_url="", description=""):
    type_id = db.session.scalar(select(SessionType.id).where(SessionType.key == type_key))
    session, _warnings = agenda_sessions.save_session(event, agenda_sessions.SessionInput(
        title=title, type_id=type_id, day=day, starts=starts, ends=ends, room_id=room.id if room else None,
        modality=modality, online_url=online_url, description=description))
    for person, role in people:
        agenda_people.assign_person(session, _person(person), role)
    return session


def _has_sessions(event) -> bool:
    return db.session.scalar(select(Session.id).where(Session.event_id == event.id).limit(1)) is not None


def jornadas_2023(event, actor) -> int:
    """6 June: inauguration and the opening panel; 8 June: the networking session and the closing."""
    if _has_sessions(event):
        return 0
    june_6, june_8 = event.days[0].day, event.days[1].day
    hall = _room(event, "Auditorio principal", for_venue=True)
    rooms = _room(event, "Salones de mesas de trabajo", for_venue=True)
    link = "https://example.org/jornadas-2023/transmision"
    _session(event, june_6, "Inauguración de las Jornadas de Gobierno Abierto 2023", "inauguracion", time(9, 30),
             time(10, 0), room=hall, modality="hibrida", online_url=link,
             people=[(INSTITUTE, "anfitrion"), (SNT, "ponente")])
    _session(event, june_6, OPENING_PANEL, "panel", time(10, 0), time(11, 45), room=hall, modality="hibrida",
             online_url=link, people=[(COMMISSIONER, "moderador"), (SNT, "panelista"), (CPC, "panelista"),
                                      (ACADEMIA, "panelista"), (CIVIL, "panelista")],
             description="Del gobierno abierto al Estado abierto: los poderes, los órganos autónomos y los "
                         "municipios ante un nuevo paradigma de gobernanza.")
    _session(event, june_6, "Receso", "receso", time(11, 45), time(12, 0))
    _session(event, june_6, "Conferencia magistral: la apertura en lo local", "conferencia_magistral",
             time(12, 0), time(13, 0), room=hall, modality="hibrida", online_url=link,
             people=[(ACADEMIA, "ponente")])
    _session(event, june_8, NETWORKING, "networking", time(10, 0), time(13, 0), room=rooms,
             people=[(FACILITATOR, "facilitador"), (FACILITATOR_2, "facilitador")],
             description="Mesas por sector que comparten experiencias y acuerdan conclusiones para la agenda "
                         "estatal de apertura.")
    _session(event, june_8, "Clausura", "clausura", time(13, 30), time(14, 0), room=hall, modality="hibrida",
             online_url=link, people=[(INSTITUTE, "anfitrion")])
    release_programme(event, "Programa de las Jornadas.", actor=actor)
    return 6


#: The regional forum whose working tables are a networking session (its tables: foros/demo/networking).
NETWORKING_FORUM = "foro-regional-chimalhuacan-2023"


def regional_forum(event, municipality: str, actor) -> int:
    """Inauguration by the host municipality, a panel with SNT, CPC and civil society, a working table, closing."""
    if _has_sessions(event):
        return 0
    day = event.days[0].day
    hall = _room(event, "Auditorio")
    _session(event, day, "Inauguración", "inauguracion", time(9, 0), time(9, 30), room=hall,
             people=[(_host(municipality), "anfitrion"), (INSTITUTE, "ponente")])
    _session(event, day, f"Panel: gobierno abierto en {municipality}", "panel", time(9, 30), time(11, 0),
             room=hall,
             people=[(COMMISSIONER, "moderador"), (SNT, "panelista"), (CPC, "panelista"), (CIVIL, "panelista")])
    networking = event.slug == NETWORKING_FORUM
    _session(event, day, "Mesa de trabajo: prioridades para el Plan de Acción Municipal",
             "networking" if networking else "mesa_de_trabajo", time(11, 15), time(13, 15), room=hall,
             people=[(FACILITATOR, "facilitador")] + ([(FACILITATOR_2, "facilitador"), (CIVIL, "facilitador")]
                                                      if networking else []))
    _session(event, day, "Clausura y ruta hacia la Declaratoria Conjunta", "clausura", time(13, 15), time(14, 0),
             room=hall, people=[(_host(municipality), "anfitrion")])
    release_programme(event, actor=actor)
    return 4


def upcoming_jornadas(event, actor) -> int:
    """A full two-day programme, released; then the panel moves room and time and a second version says so."""
    if _has_sessions(event):
        return 0
    first, second = event.days[0].day, event.days[1].day
    hall = _room(event, "Auditorio principal", for_venue=True)
    room_b = _room(event, "Sala B", for_venue=True)
    tables = _room(event, "Salones de mesas de trabajo", for_venue=True)
    link = "https://example.org/jornadas/transmision"
    _session(event, first, "Inauguración", "inauguracion", time(9, 30), time(10, 0), room=hall, modality="hibrida",
             online_url=link, people=[(INSTITUTE, "anfitrion")])
    panel = _session(event, first, "Panel: datos abiertos para la rendición de cuentas municipal", "panel",
                     time(10, 0), time(11, 30), room=hall, modality="hibrida", online_url=link,
                     people=[(COMMISSIONER, "moderador"), (SNT, "panelista"), (CIVIL, "panelista")])
    _session(event, first, "Receso", "receso", time(11, 30), time(11, 45))
    _session(event, first, "Conferencia magistral: Estado abierto", "conferencia_magistral", time(11, 45),
             time(12, 45), room=hall, modality="hibrida", online_url=link, people=[(ACADEMIA, "ponente")])
    _session(event, first, "Taller: cocreación de compromisos", "taller", time(13, 0), time(15, 0), room=room_b,
             people=[(FACILITATOR_2, "facilitador")])
    _session(event, second, "Sesión de networking", "networking", time(10, 0), time(13, 0), room=tables,
             people=[(FACILITATOR, "facilitador"), (FACILITATOR_2, "facilitador")])
    _session(event, second, "Clausura", "clausura", time(14, 0), time(14, 30), room=hall, modality="hibrida",
             online_url=link, people=[(INSTITUTE, "anfitrion"), (CPC, "ponente")])
    release_programme(event, "Primera versión del programa.", actor=actor)
    data = agenda_sessions.session_form_input(panel)
    data.starts, data.ends, data.room_id = time(12, 0), time(13, 30), room_b.id
    agenda_sessions.save_session(event, data, session=panel)
    conference = db.session.scalar(select(Session).where(Session.event_id == event.id,
                                                         Session.title.startswith("Conferencia magistral")))
    data = agenda_sessions.session_form_input(conference)
    data.starts, data.ends = time(10, 0), time(11, 0)
    agenda_sessions.save_session(event, data, session=conference)
    release_programme(event, "El panel de datos abiertos pasa a la Sala B, de 12:00 a 13:30; la conferencia "
                             "magistral se adelanta a las 10:00.", actor=actor)
    return 7


def seed_programmes(actor, *, forums: dict[str, str]) -> int:
    """Every demo programme (``forums``: regional forum slug → host municipality); the number of new sessions."""
    created = 0
    by_slug = {e.slug: e for e in db.session.scalars(select(Event))}
    if "jornadas-gobierno-abierto-2023" in by_slug:
        created += jornadas_2023(by_slug["jornadas-gobierno-abierto-2023"], actor)
    for slug, municipality in forums.items():
        if slug in by_slug:
            created += regional_forum(by_slug[slug], municipality, actor)
    if "jornadas-gobierno-abierto" in by_slug:
        created += upcoming_jornadas(by_slug["jornadas-gobierno-abierto"], actor)
    return created
