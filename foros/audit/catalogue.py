"""The audit log in Spanish: one catalogue of labels for the details' keys and values, and their formatting.

Services record plain JSON (English keys, enum values, ISO dates, ids); this module is the one place that turns
an entry's details into what an organizer reads: "Boletos enviados: Sí", "Origen: en la puerta (sin registro
previo)", "Cupo presencial: 100 → 120".
"""

import re
from datetime import date, datetime

from foros.core.formatting import fmt_date, fmt_datetime, fmt_number

#: Label of each detail key the services record.
KEY_LABELS = {
    # registrations
    "status": "Estado",
    "source": "Origen",
    "promoted": "Pasaron de la lista de espera (registros)",
    "registrations": "Registros anonimizados",
    "file": "Archivo",
    "created": "Registros creados",
    "skipped": "Omitidos (correo ya registrado)",
    "waitlisted": "En lista de espera",
    "tickets_sent": "Boletos enviados",
    "sectors": "Sectores",
    "privacy_notice": "Aviso de privacidad",
    "by": "Quién",
    "fields": "Datos corregidos",
    "modality": "Modalidad",
    # the door
    "list": "Lista de acceso",
    "device": "Dispositivo",
    "result": "Resultado",
    # mail
    "previous_status": "Estado anterior",
    "queued_message": "Correo nuevo en la cola (núm.)",
    "kind": "Tipo de correo",
    # events
    "slug": "Dirección",
    "days": "Días",
    "title": "Título",
    "kind_of_event": "Tipo de evento",
    "description": "Descripción",
    "municipality_key": "Municipio",
    "venue": "Sede",
    "address": "Dirección de la sede",
    "capacity_in_person": "Cupo presencial",
    "capacity_virtual": "Cupo virtual",
    "registration_opens_at": "Apertura del registro",
    "registration_closes_at": "Cierre del registro",
    "sector_options": "Sectores",
    # accounts and demo
    "name": "Nombre",
    "email": "Correo",
    "role": "Rol",
    "active": "Activa",
    "events": "Eventos",
    "events_created": "Eventos creados",
    # attendance exports
    "format": "Formato",
    "rows": "Filas",
    "via": "Por",
    "columns": "Columnas",
    "day": "Día",
    "checkin_list": "Lista de acceso",
    "status_filter": "Estado (filtro)",
    "sector": "Sector",
    "municipality": "Municipio",
    # certificates (constancias)
    "issued": "Constancias emitidas",
    "reason": "Motivo",
    "code": "Código de verificación",
    "previous_code": "Código anterior (queda revocado)",
    "signers": "Firman",
    "min_days": "Mínimo de días con asistencia",
    "min_lists": "Mínimo de listas de acceso con asistencia",
    # agenda: programme releases
    "number": "Versión del programa",
    "note": "Nota pública",
    "sessions_changed": "Sesiones con cambios",
    "attendees_notified": "Personas registradas avisadas por correo",
    "people_notified": "Participantes avisados por correo",
    # agenda: the draft (sessions, people)
    "starts": "Inicio",
    "ends": "Término",
    "room": "Sala",
    # networking tables
    "table_number": "Número de mesa",
    "topic": "Pregunta guía o tema",
    "seated": "Personas asignadas a mesa",
    "removed": "Asignaciones quitadas",
    # networking consolidation and state agenda
    "count": "Cantidad",
    "before": "Antes",
    "after": "Después",
    "merged_from": "Conclusiones fusionadas (id)",
    "sources": "Textos originales de las mesas (id)",
    "moved_sources": "Textos originales separados (id)",
    "into": "Nueva conclusión (id)",
    "items": "Conclusiones en la agenda",
    "conclusion": "Conclusión (id)",
    # declarations: signing
    "signatory": "Firmante",
    "method": "Forma de firma",
    "signed_at": "Hora de la firma",
    "sha256": "Huella SHA-256",
    "pages": "Páginas",
    # declarations: versions and seal
    "version": "Versión",
    "previous": "Versión anterior",
    "voided": "Firmas anuladas",
    "autograph": "Firmas autógrafas",
    # declarations: organizer pages, board, municipal process
    "template": "Plantilla",
    "body": "Texto",
    "place": "Lugar",
    "signing_date": "Fecha de firma",
    "expected_date": "Fecha prevista",
    "institution": "Institución",
    "role_id": "Rol de firmante (id)",
    "signing_order": "Orden de firma",
    "is_active": "Activa",
    "automatic": "Automático",
    "milestone": "Paso del proceso",
    "planned_date": "Fecha prevista",
    "actual_date": "Fecha real",
    "notes": "Notas",
}

#: Spanish for the values of enumerations that appear in details, per key.
VALUE_LABELS = {
    "status": {
        "confirmed": "confirmado", "waitlisted": "en lista de espera", "cancelled": "cancelado",
        "draft": "borrador", "published": "publicado", "closed": "cerrado", "archived": "archivado",
        "pending": "pendiente", "sent": "enviado", "failed": "fallido",
        "signing": "en firma", "signed": "firmada", "postponed": "pospuesta",
    },
    "source": {
        "online": "formulario en línea", "api": "API", "manual": "captura manual del personal organizador",
        "import": "importación de invitados", "walkin": "en la puerta (sin registro previo)",
    },
    "modality": {"presencial": "presencial", "virtual": "virtual", "hibrida": "híbrida"},
    "role": {"organizer": "organizador(a)", "staff": "personal de registro",
             # a person's role on a session of the programme
             "ponente": "ponente", "panelista": "panelista", "moderador": "moderador(a)",
             "facilitador": "facilitador(a)", "anfitrion": "anfitrión(a)"},
    "by": {"attendee": "la persona registrada, desde su enlace", "organizer": "personal organizador",
           "staff": "personal de registro", "person": "la persona del programa, desde su enlace"},
    "result": {"accepted": "acceso registrado", "already_checked_in": "ya había entrado"},
}
VALUE_LABELS["previous_status"] = VALUE_LABELS["status"]
VALUE_LABELS["format"] = {"csv": "CSV", "xlsx": "Excel (XLSX)", "pdf": "PDF (lista de asistencia)"}
VALUE_LABELS["via"] = {"web": "descarga inmediata", "background": "trabajo en segundo plano", "api": "API"}
VALUE_LABELS["status_filter"] = {"registered": "confirmados", "admitted": "ingresaron",
                                 "no_show": "no se presentaron", "cancelled": "cancelados",
                                 "waitlisted": "en lista de espera"}
VALUE_LABELS["columns"] = {"name": "nombre", "email": "correo", "phone": "teléfono",
                           "organization": "organización", "position": "cargo", "sector": "sector",
                           "municipality": "municipio", "gender": "sexo",
                           "modality": "modalidad", "status": "estado", "admitted_at": "ingreso",
                           "admissions": "ingresos registrados", "days": "días inscritos",
                           "registered_at": "fecha de registro", "source": "origen", "ticket_id": "boleto",
                           "accessibility": "accesibilidad"}
#: The fields of a registration, named in "Datos corregidos".
VALUE_LABELS["fields"] = {
    "name": "nombre", "email": "correo", "phone": "teléfono", "organization": "organización", "position": "cargo",
    "sector": "sector", "municipality_key": "municipio", "gender": "sexo o género",
    "accessibility": "necesidades de accesibilidad", "modality": "modalidad", "days": "días",
}

#: The kinds of message in the outbox, as an organizer names them.
MESSAGE_KIND_LABELS = {
    "registration.confirmed": "Confirmación de registro (boleto)",
    "registration.waitlisted": "Aviso de lista de espera",
    "registration.promoted": "Lugar confirmado desde la lista de espera (boleto)",
    "registration.cancelled": "Aviso de cancelación",
    "registration.link_resent": "Enlace al registro (registro repetido)",
    "registration.ticket_resent": "Boleto reenviado",
    "user.password_reset": "Enlace para restablecer la contraseña",
    "certificate.ready": "Constancia de participación lista",
    "agenda.changed": "Cambios en el programa (asistentes)",
    "agenda.person_changed": "Cambios en sus sesiones (participantes del programa)",
    "declaration.invitation": "Invitación a firmar una declaratoria",
    "declaration.code": "Código para firmar una declaratoria",
    "declaration.new_version": "Nueva versión de una declaratoria (firmas anuladas)",
}
VALUE_LABELS["kind"] = MESSAGE_KIND_LABELS
# A signatory's statuses and how they signed (declarations, issue 15).
VALUE_LABELS["status"].update({"invited": "invitado(a)", "viewed": "vio el documento", "signed": "firmado",
                               "declined": "rechazó firmar"})
VALUE_LABELS["method"] = {"electronic": "electrónica", "autograph": "autógrafa en el evento"}

MISSING = "—"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def message_kind_label(kind: str) -> str:
    """'Confirmación de registro (boleto)' for ``registration.confirmed``; unknown kinds read as themselves."""
    return MESSAGE_KIND_LABELS.get(kind, kind)


def format_value(key: str, value) -> str:
    """One recorded value in Spanish: Sí/No, numbers, dates, lists joined, enum values translated."""
    if value is None or value == "" or value == []:
        return MISSING
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, (int, float)):
        return fmt_number(value)
    if isinstance(value, dict):
        return ", ".join(f"{KEY_LABELS.get(k, k)}: {format_value(k, v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, dict) and "label" in v for v in value):  # sectors: [{"key", "label"}, …]
            return ", ".join(str(v["label"]) for v in value) or MISSING
        return ", ".join(format_value(key, v) for v in value)
    text = str(value)
    labels = VALUE_LABELS.get(key)
    if labels and text in labels:
        return labels[text]
    return _as_moment(text) or text


def _as_moment(text: str) -> str:
    """An ISO date or date-time recorded by ``record_action``, in the app's one date style; else ''."""
    try:
        if _DATE.fullmatch(text):
            return fmt_date(date.fromisoformat(text), "medium")
        if _DATETIME.match(text):
            return fmt_datetime(datetime.fromisoformat(text))
    except ValueError:
        pass
    return ""


def describe_details(details: dict | None) -> list[tuple[str, str]]:
    """[(label, text)] for an entry's details; a recorded change [old, new] reads 'old → new'."""
    rows = []
    for key, value in (details or {}).items():
        label = KEY_LABELS.get(key, key.replace("_", " ").capitalize())
        if _is_change(key, value):
            text = f"{format_value(key, value[0])} → {format_value(key, value[1])}"
        else:
            text = format_value(key, value)
        rows.append((label, text))
    return rows


#: Keys whose value may be a list of items (a pair of lists is still a change: ``[old_days, new_days]``).
_PLAIN_LISTS = frozenset({"promoted", "events", "days", "fields", "signers"})


def _is_change(key: str, value) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    if all(isinstance(v, list) for v in value):
        return True
    return key not in _PLAIN_LISTS
