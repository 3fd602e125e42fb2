"""Recording and reading the audit log."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from foros.audit.models import AuditEntry
from foros.core.db import contains_text, write_transaction
from foros.core.time import local_to_utc
from foros.extensions import db

#: Spanish labels for the actions the services record.
ACTION_LABELS = {
    "event.create": "Creó evento",
    "event.update": "Editó evento",
    "event.publish": "Publicó evento",
    "event.close": "Cerró evento",
    "event.reopen": "Reabrió evento",
    "event.archive": "Archivó evento",
    "user.create": "Creó cuenta",
    "user.update": "Editó cuenta",
    "user.password": "Cambió contraseña",
    "user.password_reset_request": "Pidió restablecer contraseña",
    "user.password_reset_link": "Envió enlace para restablecer contraseña",
    "user.password_reset": "Restableció contraseña con enlace",
    "token.create": "Creó token de API",
    "token.revoke": "Revocó token de API",
    "demo.load": "Cargó datos de demostración",
    "mail.resend": "Reenvió correo",
    "event.anonymize": "Anonimizó asistentes",
    "event.open_data_publish": "Publicó datos abiertos",
    "event.open_data_withdraw": "Retiró datos abiertos",
    "registration.create": "Registró persona",
    "registration.update": "Corrigió registro",
    "registration.cancel": "Canceló registro",
    "registration.resend": "Reenvió boleto",
    "registration.import": "Importó invitados",
    "registration.settings": "Cambió ajustes de registro",
    "checkin_list.create": "Creó lista de acceso",
    "checkin.admit": "Admitió a mano en la puerta",
    "checkin.undo": "Deshizo un acceso",
    "attendance.exported": "Exportó lista de asistencia",
    "attendance.columns_saved": "Guardó columnas de la lista de asistencia",
    "certificate.template": "Editó plantilla de constancias",
    "certificate.issue": "Emitió constancias",
    "certificate.revoke": "Revocó constancia",
    "certificate.reissue": "Reemitió constancia",
    "networking.table_create": "Agregó mesa de networking",
    "networking.table_update": "Editó mesa de networking",
    "networking.table_delete": "Eliminó mesa de networking",
    "networking.capture_close": "Cerró la captura de una mesa",
    "networking.capture_open": "Reabrió la captura de una mesa",
    "networking.seats_assigned": "Asignó personas a mesas de networking",
    "networking.seats_cleared": "Vació las mesas de networking",
    "networking.conclusions_imported": "Incorporó conclusiones de las mesas",
    "networking.conclusion_edited": "Editó conclusión consolidada",
    "networking.conclusions_merged": "Fusionó conclusiones",
    "networking.conclusion_split": "Separó una conclusión",
    "networking.conclusion_approved": "Aprobó conclusión",
    "networking.conclusions_published": "Publicó conclusiones del networking",
    "networking.conclusions_withdrawn": "Retiró la publicación de conclusiones",
    "networking.state_agenda_created": "Creó agenda estatal",
    "networking.state_agenda_items_added": "Agregó conclusiones a la agenda estatal",
    "networking.state_agenda_item_removed": "Quitó conclusión de la agenda estatal",
    "networking.state_agenda_published": "Publicó agenda estatal",
    "networking.state_agenda_withdrawn": "Retiró agenda estatal",
    "agenda.session_create": "Agregó sesión al programa",
    "agenda.session_update": "Editó sesión del programa",
    "agenda.session_cancel": "Canceló sesión del programa",
    "agenda.session_restore": "Restableció sesión del programa",
    "agenda.room_create": "Agregó sala",
    "agenda.room_delete": "Borró sala",
    "agenda.type_create": "Agregó tipo de sesión",
    "agenda.type_enable": "Volvió a ofrecer tipo de sesión",
    "agenda.type_disable": "Retiró tipo de sesión",
    "agenda.person_create": "Registró persona del programa",
    "agenda.person_update": "Corrigió persona del programa",
    "agenda.person_photo": "Cambió foto de persona del programa",
    "agenda.person_photo_removed": "Quitó foto de persona del programa",
    "agenda.person_assign": "Asignó persona a sesión",
    "agenda.person_unassign": "Quitó persona de sesión",
    "agenda.person_confirm": "Persona confirmó su participación",
    "agenda.release": "Publicó programa",
    # declarations: signing (issue 15)
    "declaration.signatory_invited": "Invitó a firmar la declaratoria",
    "declaration.signatory_reinvited": "Volvió a invitar a firmar la declaratoria",
    "declaration.signatory_viewed": "Firmante abrió la declaratoria",
    "declaration.signatory_signed": "Firmante firmó la declaratoria",
    "declaration.signatory_declined": "Firmante rechazó firmar la declaratoria",
    "declaration.signatory_autograph": "Registró firma autógrafa en el evento",
    "declaration.scan_uploaded": "Cargó la copia firmada escaneada",
    "declaration.signed": "Declaratoria firmada por todas las personas",
    # declarations: document, versions, seal (issue 15)
    "declaration.new_version": "Creó nueva versión de la declaratoria (firmas anteriores anuladas)",
    "declaration.sealed": "Selló el documento final de la declaratoria",
    # declarations: organizer pages, board, municipal process (issue 15)
    "declaration.template_create": "Creó plantilla de declaratoria",
    "declaration.template_update": "Editó plantilla de declaratoria",
    "declaration.create": "Creó declaratoria",
    "declaration.update": "Editó declaratoria",
    "declaration.role_create": "Agregó rol de firmante",
    "declaration.role_update": "Editó rol de firmante",
    "declaration.signatory_add": "Agregó persona firmante",
    "declaration.signatory_update": "Editó persona firmante",
    "declaration.signatory_remove": "Quitó persona firmante",
    "declaration.open_signing": "Abrió la firma de la declaratoria",
    "declaration.postpone": "Pospuso la declaratoria",
    "declaration.resume": "Reanudó la declaratoria",
    "declaration.cancel": "Canceló la declaratoria",
    "declaration.restore": "Recuperó la declaratoria cancelada",
    "declaration.reminder": "Envió recordatorio para firmar la declaratoria",
    "declaration.milestone_update": "Actualizó paso del proceso municipal",
}


def _jsonable(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _entry(actor, action: str, obj, *, object_type: str, label: str, details) -> AuditEntry:
    return AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or "sistema",
        action=action,
        object_type=object_type or (obj.__tablename__.rstrip("s") if obj is not None else ""),
        object_id=str(getattr(obj, "id", "") or ""),
        object_label=(label or _default_label(obj))[:200],
        details={k: _jsonable(v) for k, v in (details or {}).items()},
    )


def record_action(actor, action: str, obj=None, *, object_type: str = "", label: str = "", details=None):
    """Append one entry to the audit log (flushes with the caller's transaction)."""
    entry = _entry(actor, action, obj, object_type=object_type, label=label, details=details)
    db.session.add(entry)
    return entry


def record_action_apart(actor, action: str, obj=None, *, object_type: str = "", label: str = "",
                        details=None) -> None:
    """Append one entry and commit it at once, in a short transaction of its own (not the caller's).

    Only for a read that an auditor must still see: a personal-data export answered to a GET (the attendance
    API), whose request never commits — GET writes nothing (``foros.core.transaction``). The entry alone is
    written; nothing else the request touched. ``tests/core/test_transaction.py`` allows exactly the audit
    table for exactly the routes that call this (``AUDITED_READS``). If the entry cannot be written, this
    raises and the export is not answered.
    """
    entry = _entry(actor, action, obj, object_type=object_type, label=label, details=details)
    with write_transaction(), Session(db.engine) as session, session.begin():
        session.add(entry)


def _default_label(obj) -> str:
    for attr in ("title", "email", "label", "slug"):
        if getattr(obj, attr, None):
            return str(getattr(obj, attr))
    return ""


def diff_fields(obj, values: dict) -> dict:
    """Return {field: [old, new]} for the values that differ from the object's attributes."""
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_jsonable(old), _jsonable(new)]
    return changes


def query_entries(*, action: str = "", object_type: str = "", actor_id: int | None = None,
                  since: date | None = None, until: date | None = None, text: str = ""):
    """Build the filtered, newest-first query behind the audit log page."""
    stmt = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if since:
        stmt = stmt.where(AuditEntry.created_at >= local_to_utc(since, time.min))
    if until and until < date.max:  # the last possible day has no "next day" (and means "no limit")
        stmt = stmt.where(AuditEntry.created_at < local_to_utc(until + timedelta(days=1), time.min))
    if text:
        stmt = stmt.where(contains_text(text, AuditEntry.object_label))
    return stmt

