"""Demo networking conclusions (issue 14, point 8): the 2023 Jornadas' session "Intercambio de Experiencias para
Articular la Agenda Estatal de Apertura" with six tables (topic, facilitator, rapporteur, the people seated),
each table's original words, and the eight consolidated conclusions published from them — three merged from two
tables — plus a smaller session at the Chimalhuacán regional forum, and the "Agenda Estatal de Gobierno Abierto"
that draws on both.

Tables, seats and originals are written as the capture page leaves them; the consolidation goes through the
organizers' services (import, merge, edit, approve, publish), so each conclusion's history and provenance are
the real thing. Running it twice changes nothing (a session that already has tables is left as it is; the
agenda is made once, by its title).
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from foros.agenda.models import Session, SessionType
from foros.checkin.models import Checkin, CheckinList, ScanResult
from foros.demo.agenda import NETWORKING_FORUM
from foros.events.models import Event
from foros.extensions import db
from foros.networking import consolidation
from foros.networking import state_agenda as agendas
from foros.networking.assignment import Attendee, deal
from foros.networking.models import (
    NetworkingTable,
    SeatSource,
    StateAgenda,
    TableConclusion,
    TableSeat,
    Theme,
)
from foros.registration.models import Registration

STATE_AGENDA_TITLE = "Agenda Estatal de Gobierno Abierto"
STATE_AGENDA_DESCRIPTION = (
    "Conclusiones publicadas de las mesas de networking de las Jornadas de Gobierno Abierto 2023 y de los foros "
    "regionales, agrupadas por tema. Cada punto indica el evento y las mesas de donde proviene; es el insumo del "
    "documento rector de la agenda estatal de apertura."
)


@dataclass(frozen=True)
class DemoOriginal:
    """A table's conclusion as its rapporteur wrote it; ``ref`` names the consolidated conclusion it goes to."""

    ref: str
    text: str
    themes: tuple[str, ...]
    backing: str = ""


@dataclass(frozen=True)
class DemoTable:
    number: int
    topic: str
    facilitator: str
    rapporteur: str
    originals: tuple[DemoOriginal, ...] = field(default=())


#: The eight conclusions published from the 2023 Jornadas' networking session, in their public order:
#: (ref, wording after consolidation). Refs with two originals were merged from two tables.
JORNADAS_CONCLUSIONS = [
    ("inclusion", "La necesidad de incluir a toda la ciudadanía (estudiantes, empresarios y sociedad civil) en "
                  "las decisiones del gobierno"),
    ("vulnerables", "No perder de vista a grupos vulnerables, y dar atención a comunidades que no tienen acceso "
                    "a internet"),
    ("datos", "Publicar la información de los gobiernos en formatos abiertos y en lenguaje sencillo, para que "
              "cualquier persona pueda entenderla y reutilizarla"),
    ("seguimiento", "Dar seguimiento público a los compromisos de gobierno abierto, con indicadores y plazos que "
                    "la ciudadanía pueda verificar"),
    ("dialogo", "Abrir espacios permanentes de diálogo entre autoridades y sociedad civil, y no solo en periodos "
                "electorales"),
    ("capacidades", "Fortalecer a las unidades de transparencia y capacitar a las personas servidoras públicas "
                    "municipales en gobierno abierto"),
    ("juventudes", "Aprovechar la tecnología y las redes sociales para acercar el gobierno a las juventudes, sin "
                   "dejar de lado los medios tradicionales"),
    ("anticorrupcion", "Vincular la agenda de gobierno abierto con el Sistema Estatal Anticorrupción, para que "
                       "las denuncias ciudadanas tengan respuesta"),
]

JORNADAS_TABLES = [
    DemoTable(1, "Participación ciudadana: ¿cómo llevar la voz de la gente a las decisiones públicas?",
              "Mtro. Ricardo Núñez Olvera", "Lic. Araceli Domínguez Rivas", (
                  DemoOriginal("inclusion", "Incluir a toda la ciudadanía en las decisiones del gobierno: "
                               "estudiantes, empresarios y organizaciones de la sociedad civil.",
                               ("participacion",), "Sociedad civil, academia y sector privado"),
                  DemoOriginal("dialogo", "Que haya mesas de diálogo permanentes con la sociedad civil y no "
                               "solo cuando hay elecciones.", ("participacion",), "Sociedad civil"),
              )),
    DemoTable(2, "Transparencia proactiva y datos abiertos en los municipios",
              "Lic. Daniela Campos Ibarra", "Ing. Tomás Aguilar Meza", (
                  DemoOriginal("datos", "Publicar la información en datos abiertos (no en PDF escaneado) para "
                               "que se pueda reutilizar.", ("transparencia", "tecnologia"),
                               "Academia y personas servidoras públicas"),
              )),
    DemoTable(3, "Rendición de cuentas y combate a la corrupción",
              "Mtro. Jorge Luna Barrera", "Mtra. Claudia Reyes Salinas", (
                  DemoOriginal("seguimiento", "Los compromisos deben tener indicadores y fechas, y un tablero "
                               "público para que la ciudadanía vea si se cumplen.", ("rendicion_de_cuentas",)),
                  DemoOriginal("anticorrupcion", "Conectar gobierno abierto con el Sistema Estatal "
                               "Anticorrupción: que las denuncias de la ciudadanía tengan seguimiento y "
                               "respuesta.",
                               ("anticorrupcion", "rendicion_de_cuentas"),
                               "Comité de Participación Ciudadana y sociedad civil"),
              )),
    DemoTable(4, "Inclusión: grupos en situación de vulnerabilidad y brecha digital",
              "Lic. Sofía Herrera Paz", "Lic. Rubén Ortiz Galván", (
                  DemoOriginal("vulnerables", "No perder de vista a los grupos vulnerables: personas con "
                               "discapacidad, pueblos indígenas y personas adultas mayores.",
                               ("grupos_vulnerables",), "Sociedad civil y personas servidoras públicas"),
              )),
    DemoTable(5, "Juventudes, tecnología cívica y redes sociales",
              "Dra. Patricia Vega Morales", "C. Valeria Sánchez Torres", (
                  DemoOriginal("juventudes", "Usar redes sociales y aplicaciones para que las y los jóvenes se "
                               "enteren y participen, pero sin olvidar la radio y los avisos impresos.",
                               ("jovenes", "tecnologia"), "Estudiantes"),
                  DemoOriginal("inclusion", "Que los estudiantes también seamos tomados en cuenta en las "
                               "decisiones, no solo las autoridades y los expertos.", ("jovenes", "participacion"),
                               "Estudiantes"),
                  DemoOriginal("vulnerables", "Dar atención a las comunidades que no tienen acceso a internet: "
                               "llevar la información en persona.", ("grupos_vulnerables", "tecnologia")),
              )),
    DemoTable(6, "Gobierno abierto municipal: del compromiso al Plan de Acción",
              "Mtra. Elena Ruiz Castañeda", "Lic. Héctor Morales Cruz", (
                  DemoOriginal("capacidades", "Capacitar a las personas servidoras públicas de los ayuntamientos "
                               "y fortalecer a las unidades de transparencia, que tienen poco personal.",
                               ("transparencia",), "Personas servidoras públicas municipales"),
                  DemoOriginal("datos", "La información tiene que estar en lenguaje ciudadano, que cualquiera "
                               "la entienda.", ("transparencia",)),
              )),
]

#: The Chimalhuacán regional forum: a smaller session (three tables, three published conclusions).
FORUM_SLUG = NETWORKING_FORUM

FORUM_CONCLUSIONS = [
    ("plan", "Construir el Plan de Acción Municipal con las colonias y los pueblos, en asambleas abiertas "
             "convocadas con anticipación"),
    ("obras", "Publicar en el sitio del ayuntamiento y en los espacios públicos el avance y el costo de las "
              "obras, colonia por colonia"),
    ("secretariado", "Instalar el Secretariado Técnico Municipal con participación paritaria de la sociedad "
                     "civil"),
]

FORUM_TABLES = [
    DemoTable(1, "Prioridades de las colonias para el Plan de Acción Municipal",
              "Mtro. Ricardo Núñez Olvera", "Lic. Beatriz Flores Anaya", (
                  DemoOriginal("plan", "Hacer asambleas en las colonias para decidir juntos las prioridades del "
                               "plan.", ("participacion",), "Vecinas y vecinos, sociedad civil"),
                  DemoOriginal("obras", "Que se sepa cuánto cuesta cada obra y cómo va.",
                               ("transparencia", "rendicion_de_cuentas")),
              )),
    DemoTable(2, "Información pública útil para la vida diaria",
              "Lic. Daniela Campos Ibarra", "C. Ernesto Vargas León", (
                  DemoOriginal("obras", "Poner el avance de las obras en el sitio web y en carteles en cada "
                               "colonia.", ("transparencia",), "Personas servidoras públicas"),
              )),
    DemoTable(3, "Hacia la Declaratoria Conjunta y el Secretariado Técnico",
              "Lic. Sofía Herrera Paz", "Mtra. Irene Castillo Bravo", (
                  DemoOriginal("secretariado", "El Secretariado Técnico debe tener tantas personas de la "
                               "sociedad civil como del gobierno.", ("participacion", "anticorrupcion"),
                               "Sociedad civil"),
              )),
]


def _networking_session(event: Event, title: str | None = None) -> Session | None:
    query = (select(Session).join(SessionType, Session.type_id == SessionType.id)
             .where(Session.event_id == event.id, SessionType.key == "networking")
             .order_by(Session.starts_at, Session.id))
    if title is not None:
        query = query.where(Session.title == title)
    return db.session.scalars(query).first()


def _admitted(session: Session):
    """Who was admitted that day: to the session's own check-in list when the event has one, else to any."""
    lists = select(CheckinList.id).where(CheckinList.event_id == session.event_id)
    own = lists.where(CheckinList.slug == "networking")
    list_ids = own if db.session.scalar(own) is not None else lists
    return db.session.scalars(
        select(Registration).join(Checkin, Checkin.registration_id == Registration.id)
        .where(Checkin.list_id.in_(list_ids), Checkin.result == ScanResult.ACCEPTED.value,
               Checkin.undone_at.is_(None))
        .distinct().order_by(Registration.id)).all()


def _seed_session(session: Session, tables: list[DemoTable], wording: list[tuple[str, str]], actor) -> int:
    """Tables, seats, originals; then import, merge, reword, order, approve and publish. Returns conclusions."""
    themes = {t.key: t for t in db.session.scalars(select(Theme).where(Theme.key.is_not(None)))}
    made: list[NetworkingTable] = []
    by_ref: dict[str, list[TableConclusion]] = {}
    for demo in tables:
        table = NetworkingTable(session_id=session.id, number=demo.number, topic=demo.topic,
                                facilitator=demo.facilitator, rapporteur=demo.rapporteur,
                                capture_closed_at=session.ends_at)
        db.session.add(table)
        for position, original in enumerate(demo.originals, start=1):
            row = TableConclusion(text=original.text, backing_sectors=original.backing, position=position * 10,
                                  themes=[themes[key] for key in original.themes if key in themes],
                                  created_at=session.starts_at, updated_at=session.starts_at)
            table.conclusions.append(row)
            by_ref.setdefault(original.ref, []).append(row)
        made.append(table)
    db.session.flush()
    people = [Attendee(r.id, r.sector or "", r.municipality_key or "") for r in _admitted(session)]
    for table, group in zip(made, deal(people, len(made)), strict=True):
        for person in group:
            db.session.add(TableSeat(table_id=table.id, session_id=session.id, registration_id=person.id,
                                     source=SeatSource.AUTO, seated_at=session.starts_at))
    db.session.flush()
    consolidation.import_originals(session, actor=actor)
    for position, (ref, text) in enumerate(wording, start=1):
        parts = [original.consolidated[0] for original in by_ref[ref]]
        conclusion = (consolidation.merge_conclusions(parts, actor=actor, text=text) if len(parts) > 1
                      else parts[0])
        consolidation.edit_conclusion(conclusion, text=text, theme_ids=[t.id for t in conclusion.themes],
                                      actor=actor)
        conclusion.position = position * 10
        consolidation.approve_conclusion(conclusion, actor=actor)
    db.session.flush()
    consolidation.publish_conclusions(session, actor=actor)
    return len(wording)


def seed_networking(actor) -> int:
    """The demo's networking sessions and the state agenda; returns how many conclusions were published."""
    published = 0
    sessions = []
    jornadas = db.session.scalar(select(Event).where(Event.slug == "jornadas-gobierno-abierto-2023"))
    if jornadas is not None:
        sessions.append((_networking_session(jornadas), JORNADAS_TABLES, JORNADAS_CONCLUSIONS))
    forum = db.session.scalar(select(Event).where(Event.slug == FORUM_SLUG))
    if forum is not None:
        sessions.append((_networking_session(forum), FORUM_TABLES, FORUM_CONCLUSIONS))
    for session, tables, wording in sessions:
        if session is None or db.session.scalar(select(NetworkingTable.id)
                                                .where(NetworkingTable.session_id == session.id).limit(1)):
            continue
        published += _seed_session(session, tables, wording, actor)
    if published and db.session.scalar(select(StateAgenda.id).where(StateAgenda.title == STATE_AGENDA_TITLE)) \
            is None:
        agenda = agendas.create_agenda(STATE_AGENDA_TITLE, STATE_AGENDA_DESCRIPTION, actor=actor)
        ids = [c.id for session, _t, _w in sessions if session is not None
               for c in consolidation.published_conclusions(session)]
        agendas.add_conclusions(agenda, ids, actor=actor)
        agendas.publish_agenda(agenda, actor=actor)
    return published
