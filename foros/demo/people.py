"""Made-up attendees for the demo's past events: realistic mix of sectors, municipalities and sexes."""

import random
from datetime import timedelta

from sqlalchemy import select

from foros.checkin.scan import check_in
from foros.checkin.services import ensure_default_lists, open_door
from foros.core.municipalities import all_municipalities
from foros.core.text import ascii_lower
from foros.core.time import as_utc
from foros.events.models import Modality
from foros.extensions import db
from foros.registration import signup
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus

WOMEN = ["María", "Guadalupe", "Juana", "Verónica", "Leticia", "Alejandra", "Rosa", "Patricia", "Fernanda",
         "Daniela", "Itzel", "Ximena", "Andrea", "Lucía", "Mariana", "Karla", "Gabriela", "Adriana"]
MEN = ["José", "Juan", "Miguel", "Luis", "Carlos", "Jorge", "Francisco", "Alejandro", "Ricardo", "Arturo",
       "Eduardo", "Roberto", "Diego", "Emiliano", "Santiago", "Raúl", "Óscar", "Iván"]
SURNAMES = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
            "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Mendoza",
            "Ruiz", "Aguilar", "Ortiz", "Castillo", "Romero", "Velázquez", "Nava", "Salazar", "Becerril"]
ORGANIZATIONS = {
    "estudiante": ["UAEMéx", "Tecnológico de Estudios Superiores", "UNAM FES Acatlán", "Normal de Atlacomulco"],
    "academia": ["UAEMéx", "El Colegio Mexiquense", "UNAM FES Aragón", "Universidad Mexiquense del Bicentenario"],
    "sector_empresarial": ["Cámara de Comercio local", "Coparmex Estado de México", "Asociación de Industriales"],
    "servidor_publico": ["Ayuntamiento", "Contraloría municipal", "Unidad de Transparencia municipal",
                         "Secretaría de Finanzas"],
    "poder_legislativo": ["Congreso del Estado de México"],
    "sociedad_civil": ["Colectivo Ciudadano por la Transparencia", "Observatorio Ciudadano", "Red de Mujeres",
                       "Fundación Comunitaria"],
    "ciudadania": [""],
    "medios": ["Periódico regional", "Radio comunitaria", "Portal de noticias local"],
}
SECTOR_WEIGHTS = {"estudiante": 22, "academia": 9, "sector_empresarial": 5, "servidor_publico": 30,
                  "poder_legislativo": 3, "sociedad_civil": 13, "ciudadania": 14, "medios": 4}


def seed_registrations(event, count: int) -> int:
    """Register ``count`` made-up people to a past event (no e-mail queued); deterministic per event."""
    rnd = random.Random(event.slug)
    municipalities = all_municipalities()
    host = event.municipality_key
    neighbours = sorted(municipalities, key=lambda m: (m.lat - event.municipality.lat) ** 2
                        + (m.lon - event.municipality.lon) ** 2)[:12]
    sectors = list(SECTOR_WEIGHTS)
    weights = [SECTOR_WEIGHTS[s] for s in sectors]
    start = event.days[0].starts_at
    created = 0
    for i in range(count):
        woman = rnd.random() < 0.54
        first = rnd.choice(WOMEN if woman else MEN)
        last = f"{rnd.choice(SURNAMES)} {rnd.choice(SURNAMES)}"
        sector = rnd.choices(sectors, weights)[0]
        roll = rnd.random()
        municipality = host if roll < 0.55 else (rnd.choice(neighbours).key if roll < 0.93 else
                                                  "otra" if roll < 0.97 else rnd.choice(municipalities).key)
        gender = ("mujer" if woman else "hombre") if rnd.random() < 0.9 else rnd.choice(["", "prefiero_no_decir",
                                                                                        "no_binario"])
        modality = Modality.PRESENCIAL.value
        if event.modality == Modality.HIBRIDA:
            modality = "virtual" if rnd.random() < 0.45 else "presencial"
        days = [d.day for d in event.days if len(event.days) == 1 or rnd.random() < 0.75] or [event.days[0].day]
        data = RegistrationInput(
            name=f"{first} {last}",
            email=f"{ascii_lower(first)}.{ascii_lower(last).replace(' ', '.')}.{i}@ejemplo.mx",
            sector=sector, municipality_key=municipality, modality=modality, days=days, gender=gender,
            organization=rnd.choice(ORGANIZATIONS[sector]), position="", privacy_consent=True,
        )
        when = start - timedelta(days=rnd.randint(1, 20), minutes=rnd.randint(0, 1440))
        result = signup.register_attendee(event, data, source=RegistrationSource.ONLINE, notify=False,
                                                 check_open=False, now=when)
        created += result.created
    return created


def fill_with_waitlist(event, *, confirmed: int, waiting: int) -> int:
    """Register enough people to fill an upcoming event and leave some on its waitlist."""
    rnd = random.Random(event.slug)
    created = 0
    for i in range(confirmed + waiting):
        first, last = rnd.choice(WOMEN + MEN), f"{rnd.choice(SURNAMES)} {rnd.choice(SURNAMES)}"
        data = RegistrationInput(
            name=f"{first} {last}",
            email=f"{ascii_lower(first)}.{ascii_lower(last).replace(' ', '.')}.{i}@ejemplo.mx",
            sector="servidor_publico", municipality_key=event.municipality_key, organization="Ayuntamiento",
            position="Titular de la Unidad de Transparencia", privacy_consent=True,
        )
        created += signup.register_attendee(event, data, notify=False).created
    return created


def seed_checkins(event, organizer) -> int:
    """Admit most confirmed people of a past event, arrivals spread over the morning (some no-shows)."""
    rnd = random.Random(event.slug + "/checkins")
    ensure_default_lists(event)
    admitted = 0
    for day in event.days:
        door, _list = open_door(organizer, event, day.day.isoformat())
        people = [r for r in event_registrations(event)
                  if any(d.id == day.id for d in r.days)]
        start = as_utc(day.starts_at)
        for reg in people:
            if rnd.random() < 0.18:  # no-show
                continue
            minutes = max(-40, min(150, int(rnd.gauss(10, 25))))
            when = start + timedelta(minutes=minutes, seconds=rnd.randint(0, 59))
            answer = check_in(door, ticket_code(reg), device=rnd.choice(["Puerta 1", "Puerta 2", "Tableta"]),
                              scanned_at=when, now=when)
            admitted += answer["result"] == "accepted"
    return admitted


def event_registrations(event):
    """Confirmed registrations of an event."""
    return db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).all()
