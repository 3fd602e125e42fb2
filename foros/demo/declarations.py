"""Demo joint declarations (issue 15, point 12): Villa Guerrero, Cuautitlán Izcalli, Nicolás Romero and
Chimalhuacán, with invented, generic signatories in different states — Villa Guerrero's signed in person at the
event and sealed, two others en firma (signed electronically from the link — one drawn, one typed —, invited,
seen, pending in the signing order, one declined with a reason), Chimalhuacán's pospuesta por el proceso
electoral 2023 — and each municipality's process, whose call (convocatoria) the 2023 state elections postponed.

Everything goes through the organizers' and the signing services (create, signatories, open signing, links,
one-time codes read from the e-mail queued, electronic and autograph signatures, decline, the final sealed PDF),
so statuses, the audit trail and the audit log are the real thing. Without a configured seal the demo makes a
self-signed one in the instance folder (``seal.demo_seal_path``), which the app then finds outside production.
Running it twice changes nothing (a municipality that already has a declaration, or a process, is left as it is).
"""

import base64
import io
import logging
import math
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from foros.config import is_production
from foros.core.errors import DomainError
from foros.core.time import local_today, utcnow
from foros.declarations import manage, process, seal, signing, signing_codes, signing_inperson, versions
from foros.declarations.models import Declaration, MilestoneKind, MilestoneStatus, SignatoryRole
from foros.declarations.process import MilestoneInput
from foros.events.models import Event
from foros.extensions import db
from foros.mail.models import OutboxMessage

log = logging.getLogger(__name__)

#: What the demo's browsers "sent" when a signatory opened or declined from their link.
DEMO_IP = "203.0.113.10"
DEMO_AGENT = "Mozilla/5.0 (Linux; Android 14) Demo"
ELECTIONS = "Pospuesta por el proceso electoral 2023 (elección de la gubernatura del 4 de junio)"
DECLINE_REASON = ("La agenda del Comité se definirá en su próxima sesión ordinaria; firmaremos cuando el pleno "
                  "lo apruebe.")


@dataclass(frozen=True)
class DemoSignatory:
    name: str
    position: str
    institution: str
    role_key: str
    #: '' for those who sign in person only (no link).
    email: str = ""
    order: int | None = None
    #: What happens in the demo: signed (autograph at the event), drawn or typed (signed electronically from
    #: the link), invited, viewed, declined, pending.
    outcome: str = "pending"


INSTITUTE = "Instituto de Transparencia del Estado de México"


def _institute(order=None, outcome="pending", email="") -> list[DemoSignatory]:
    return [
        DemoSignatory("Mtra. Laura Beatriz Solís Arriaga", "Comisionada Presidenta", INSTITUTE, "organo_garante",
                      email, order, outcome),
        DemoSignatory("Lic. Ernesto Valdés Ocampo", "Comisionado", INSTITUTE, "organo_garante",
                      email.replace("presidencia", "comisionado") if email else "", order, outcome),
    ]


#: municipality key → (forum slug, place, signing date offset from today, signatories).
DECLARATIONS = {
    "15113": ("foro-regional-villa-guerrero-2023", "Casa de Cultura de Villa Guerrero", [
        DemoSignatory("C. Rosalba Trujillo Mendoza", "Presidenta Municipal Constitucional",
                      "H. Ayuntamiento de Villa Guerrero", "presidencia_municipal", outcome="signed"),
        *_institute(outcome="signed"),
        DemoSignatory("Dr. Julián Aceves Ramírez", "Comisionado", "Sistema Nacional de Transparencia",
                      "sistema_nacional", outcome="signed"),
        DemoSignatory("Mtra. Itzel Camacho Durán", "Integrante", "Comité de Participación Ciudadana del Sistema "
                      "Estatal Anticorrupción", "comite_participacion", outcome="signed"),
        DemoSignatory("Lic. Tomás Estrada Vilchis", "Coordinador", "Red de Floricultores por la Transparencia, "
                      "A.C.", "sociedad_civil", outcome="signed"),
        DemoSignatory("Profra. Amalia Rebollar Castañeda", "Cronista municipal", "Villa Guerrero",
                      "testigo_honor", outcome="signed"),
    ]),
    "15121": ("foro-regional-cuautitlan-izcalli-2023", "Centro Cultural de Cuautitlán Izcalli", [
        DemoSignatory("Lic. Mauricio Olvera Sandoval", "Presidente Municipal Constitucional",
                      "H. Ayuntamiento de Cuautitlán Izcalli", "presidencia_municipal",
                      "presidencia@cuautitlan-izcalli.demo", outcome="drawn"),
        DemoSignatory("Mtra. Laura Beatriz Solís Arriaga", "Comisionada Presidenta", INSTITUTE, "organo_garante",
                      "presidencia@infoem.demo", outcome="typed"),
        DemoSignatory("Dra. Claudia Ibarra Lozano", "Comisionada", "Sistema Nacional de Transparencia",
                      "sistema_nacional", "cibarra@snt.demo", outcome="viewed"),
        DemoSignatory("Mtro. Fernando Quiroz Peña", "Presidente", "Comité de Participación Ciudadana del Sistema "
                      "Estatal Anticorrupción", "comite_participacion", "presidencia@cpc-edomex.demo",
                      outcome="declined"),
        DemoSignatory("Ing. Paulina Reséndiz Cruz", "Directora", "Observatorio Ciudadano Izcalli, A.C.",
                      "sociedad_civil", "direccion@observatorio-izcalli.demo", outcome="invited"),
    ]),
    "15060": ("foro-regional-nicolas-romero-2023", "Auditorio Municipal de Nicolás Romero", [
        DemoSignatory("Lic. Adrián Cervantes Ávila", "Presidente Municipal Constitucional",
                      "H. Ayuntamiento de Nicolás Romero", "presidencia_municipal",
                      "presidencia@nicolas-romero.demo", 1, "viewed"),
        DemoSignatory("Lic. Ernesto Valdés Ocampo", "Comisionado", INSTITUTE, "organo_garante",
                      "comisionado@infoem.demo", 2),
        DemoSignatory("Mtra. Sofía Landa Guerrero", "Integrante", "Comité de Participación Ciudadana del Sistema "
                      "Estatal Anticorrupción", "comite_participacion", "slanda@cpc-edomex.demo", 3),
        DemoSignatory("C. Gabriel Monroy Téllez", "Representante", "Colectivo Vecinal Transparencia Norte",
                      "sociedad_civil", "contacto@colectivo-norte.demo", 3),
    ]),
    "15031": ("foro-regional-chimalhuacan-2023", "Palacio Municipal de Chimalhuacán", [
        DemoSignatory("Lic. Verónica Alcántara Ruiz", "Presidenta Municipal Constitucional",
                      "H. Ayuntamiento de Chimalhuacán", "presidencia_municipal", "presidencia@chimalhuacan.demo"),
        *_institute(email="presidencia@infoem.demo"),
        DemoSignatory("Mtro. Raúl Espinoza Carrillo", "Secretario Ejecutivo", "Sistema Nacional de Transparencia",
                      "sistema_nacional", "respinoza@snt.demo"),
        DemoSignatory("Lic. Diana Morales Pichardo", "Presidenta", "Mujeres por un Oriente Abierto, A.C.",
                      "sociedad_civil", "presidencia@oriente-abierto.demo"),
    ]),
}

#: municipality key → milestone → (status, planned, actual, notes). Dates before 2024 are history; the demo's
#: current steps are relative to the day it loads.
CALL_NOTE = (f"{ELECTIONS}: la convocatoria no se publicó durante la veda electoral y se reprogramó para "
             "después de la jornada electoral.")


def _processes(today: date) -> dict:
    later = today + timedelta(days=35)
    return {
        "15113": {
            MilestoneKind.FORUM: (MilestoneStatus.DONE, date(2023, 5, 18), date(2023, 5, 18), ""),
            MilestoneKind.CALL: (MilestoneStatus.DONE, date(2023, 5, 29), date(2023, 8, 21), CALL_NOTE),
            MilestoneKind.SIGNING: (MilestoneStatus.DONE, today, today,
                                    "Firma autógrafa en el evento; documento final sellado."),
            MilestoneKind.SECRETARIAT: (MilestoneStatus.SCHEDULED, today + timedelta(days=30), None,
                                        "Sesión de instalación del Secretariado Técnico Municipal."),
            MilestoneKind.ACTION_PLAN: (MilestoneStatus.PENDING, None, None, ""),
        },
        "15121": {
            MilestoneKind.FORUM: (MilestoneStatus.DONE, date(2023, 3, 16), date(2023, 3, 16), ""),
            MilestoneKind.CALL: (MilestoneStatus.DONE, date(2023, 4, 24), date(2023, 9, 4), CALL_NOTE),
            MilestoneKind.SIGNING: (MilestoneStatus.IN_PROGRESS, today + timedelta(days=10), None,
                                    "Firma electrónica abierta; el Comité de Participación Ciudadana declinó por "
                                    "ahora."),
            MilestoneKind.SECRETARIAT: (MilestoneStatus.PENDING, None, None, ""),
            MilestoneKind.ACTION_PLAN: (MilestoneStatus.PENDING, None, None, ""),
        },
        "15060": {
            MilestoneKind.FORUM: (MilestoneStatus.DONE, date(2023, 4, 20), date(2023, 4, 20), ""),
            MilestoneKind.CALL: (MilestoneStatus.DONE, date(2023, 5, 15), date(2023, 9, 18), CALL_NOTE),
            MilestoneKind.SIGNING: (MilestoneStatus.IN_PROGRESS, today + timedelta(days=15), None,
                                    "Firma en orden: primero la presidencia municipal."),
            MilestoneKind.SECRETARIAT: (MilestoneStatus.PENDING, None, None, ""),
            MilestoneKind.ACTION_PLAN: (MilestoneStatus.PENDING, None, None, ""),
        },
        "15031": {
            MilestoneKind.FORUM: (MilestoneStatus.DONE, date(2023, 2, 23), date(2023, 2, 23), ""),
            MilestoneKind.CALL: (MilestoneStatus.POSTPONED, later - timedelta(days=21), None, CALL_NOTE),
            MilestoneKind.SIGNING: (MilestoneStatus.POSTPONED, later, None,
                                    "Firma de Declaratoria Conjunta reprogramada; evento publicado."),
            MilestoneKind.SECRETARIAT: (MilestoneStatus.PENDING, None, None, ""),
            MilestoneKind.ACTION_PLAN: (MilestoneStatus.PENDING, None, None, ""),
        },
    }


def ensure_demo_seal() -> bool:
    """Make the demo's self-signed seal in the instance folder when no seal is configured (never in
    production). Returns whether a seal is usable."""
    if current_app.config.get("DECLARATIONS_SEAL_PKCS12"):
        return True
    if is_production(current_app.config):
        log.warning("demo declarations: no FOROS_DECLARATIONS_SEAL_PKCS12 in production; not making a demo seal, "
                    "the signed declaration stays unsealed until `flask declarations finalize`")
        return False
    path = seal.demo_seal_path()
    if not path.is_file():
        # Written beside it and renamed: two processes loading the demo at once never see half a file.
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        seal.make_seal_identity(partial, seal.DEMO_SEAL_PASSWORD, current_app.config["ORGANIZATION_NAME"])
        os.replace(partial, path)
    return True


def _roles() -> dict[str, int]:
    return {r.key: r.id for r in db.session.scalars(select(SignatoryRole).where(SignatoryRole.key.is_not(None)))}


def _event_id(slug: str) -> int | None:
    return db.session.scalar(select(Event.id).where(Event.slug == slug))


def _create(key: str, slug: str, place: str, people: list[DemoSignatory], signing_date, organizer):
    roles = _roles()
    declaration = manage.create_declaration(manage.DeclarationInput(
        municipality_key=key, place=place, signing_date=signing_date, event_id=_event_id(slug)), actor=organizer)
    signatories = []
    for person in people:
        signatories.append(manage.add_signatory(declaration, manage.SignatoryInput(
            name=person.name, position=person.position, institution=person.institution,
            role_id=roles.get(person.role_key), email=person.email, signing_order=person.order), actor=organizer))
    return declaration, signatories


def _open(declaration, organizer):
    manage.change_status(declaration, "open", actor=organizer)


def demo_drawing(name: str) -> str:
    """A handwritten-looking signature for ``name`` as the signing page's canvas would post it (a PNG data
    URL): per word a tall initial and a run of cursive loops (a prolate cycloid), then an underline flourish,
    drawn with Pillow."""
    width, height = 600, 180
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    ink = (20, 30, 90, 255)
    words = [w for w in name.replace(".", " ").split() if len(w) > 2][-2:] or ["Firma"]
    x = 40.0
    for word in words:
        loops = min(len(word), 6)
        points = []
        for step in range(loops * 24 + 1):
            t = step / 24 * 2 * math.pi
            tall = 2.2 if step < 24 else 1.0  # the initial stands above the rest
            points.append((x + 6 * t - 9 * math.sin(t), 95 + 16 * tall * math.cos(t) - 1.5 * t))
        pen.line(points, fill=ink, width=3, joint="curve")
        x = points[-1][0] + 25
    pen.line([(30, 140), (x * 0.5, 150), (min(x + 10, width - 20), 128)], fill=ink, width=3, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _code_from_mail(address: str) -> str:
    """The one-time code as the signatory reads it: from the newest code e-mail queued for ``address``."""
    body = db.session.scalar(select(OutboxMessage.body_text)
                             .where(OutboxMessage.kind == "declaration.code", OutboxMessage.to_address == address)
                             .order_by(OutboxMessage.id.desc()).limit(1)) or ""
    found = re.search(r"^\s+(\d{6})\s*$", body, re.MULTILINE)
    return found.group(1) if found else ""


def _act(declaration, people, signatories, organizer) -> None:
    """Each signatory's demo outcome, through the signing services."""
    for person, signatory in zip(people, signatories, strict=True):
        if person.outcome == "signed":
            signing_inperson.record_autograph(signatory, signed_at=utcnow(), actor=organizer)
        elif person.outcome in ("viewed", "declined", "drawn", "typed"):
            # Opening e-mailed the link, whose token only the e-mail knows: a fresh one stands for it.
            token = signing.issue_link(signatory, organizer)
            visit = signing.open_link(token)
            signing.mark_viewed(visit, ip=DEMO_IP, user_agent=DEMO_AGENT)
            if person.outcome == "declined":
                signing.decline(visit, reason=DECLINE_REASON, ip=DEMO_IP, user_agent=DEMO_AGENT)
            elif person.outcome in ("drawn", "typed"):
                # The signatory asks for the code, reads it in the e-mail and signs, as on the signing page.
                signing_codes.send_code(visit, ip=DEMO_IP, user_agent=DEMO_AGENT)
                signing.sign_electronically(
                    visit, code=_code_from_mail(signatory.email), method=person.outcome,
                    drawing=demo_drawing(person.name) if person.outcome == "drawn" else "",
                    typed_name=person.name if person.outcome == "typed" else "", consent=True,
                    ip=DEMO_IP, user_agent=DEMO_AGENT)


def seed_declarations(organizer) -> int:
    """Create what is missing of the demo declarations and processes; return how many declarations are new."""
    today = local_today()
    created = 0
    for key, (slug, place, people) in DECLARATIONS.items():
        exists = db.session.scalar(select(func.count()).select_from(Declaration)
                                   .where(Declaration.municipality_key == key))
        if exists:
            continue
        created += 1
        if key == "15031":  # the signing event is published; the declaration waits for it
            declaration, _signatories = _create(key, slug, place, people, today + timedelta(days=35), organizer)
            manage.change_status(declaration, "postpone", reason=f"{ELECTIONS}: la convocatoria se reprogramó y "
                                 "la firma pasa al evento «Firma de Declaratoria Conjunta — Chimalhuacán».",
                                 expected_date=today + timedelta(days=35), actor=organizer)
            continue
        if key == "15113" and not ensure_demo_seal():
            log.warning("demo declarations: Villa Guerrero will be signed but not sealed")
        declaration, signatories = _create(key, slug, place, people, today, organizer)
        _open(declaration, organizer)
        _act(declaration, people, signatories, organizer)
        if key == "15113" and declaration.final_document is None:
            try:
                versions.finalize(declaration)
            except DomainError as exc:  # no usable seal (production without one): signed, sealed later
                log.warning("demo declarations: %s", exc.message)
    for key, milestones in _processes(today).items():
        if process.get_process(key) is not None:
            continue
        for kind, (status, planned, actual, notes) in milestones.items():
            process.update_milestone(key, kind, MilestoneInput(status=status, planned_date=planned,
                                                               actual_date=actual, notes=notes), actor=organizer)
    db.session.flush()
    return created
