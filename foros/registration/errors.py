"""Registration: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("registration", {
    "already_cancelled": (409, "Este registro ya estaba cancelado."),
    "duplicate": (409, "Ya hay un registro con ese correo para este evento."),
    "empty_import": (422, "El archivo no tiene personas que importar."),
    "event_not_over": (409, "Solo se puede anonimizar cuando el evento ya terminó."),
    "import_rejected": (422, "El archivo tiene errores; no se importó a nadie."),
    "invalid_registration": (422, "Revise los campos marcados."),
    "invalid_settings": (422, "Revise los campos marcados."),
    "no_email": (409, "Este registro no tiene correo electrónico."),
    "no_seats": (409, "Ya no hay lugares en esa modalidad."),
    "registration_cancelled": (409, "Este registro está cancelado."),
    "registration_closed": (409, "El registro para este evento no está abierto."),
    "registration_not_found": (404, "No existe ese registro en este evento."),
    "ticket_not_found": (404, "No encontramos ese boleto. Revise el enlace de su correo."),
})
