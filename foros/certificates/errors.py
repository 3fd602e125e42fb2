"""Certificates: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("certificates", {
    "already_live": (422, "Esa persona ya tiene una constancia vigente."),
    "already_replaced": (422, "Esa constancia ya fue reemplazada por otra."),
    "already_revoked": (422, "Esa constancia ya estaba revocada."),
    "bad_placeholder": (422, "Marcador no válido. Escriba solo el nombre entre llaves, p. ej. {nombre}."),
    "certificate_not_found": (404, "No existe esa constancia en este evento."),
    "invalid_template": (422, "Revise la plantilla de la constancia."),
    "no_certificates": (422, "No hay constancias vigentes que descargar."),
    "no_template": (422, "El evento ya no tiene plantilla de constancia."),
    "not_eligible": (422, "El registro ya no está confirmado: no se puede reemitir."),
    "reason_required": (422, "Escriba el motivo de la revocación."),
    "reason_too_long": (422, "El motivo es demasiado largo."),
    "unbalanced_braces": (422, "Hay una llave { o } sin cerrar. Para escribir una llave literal, duplíquela: {{ "
                               "o }}."),
    "unknown_placeholder": (422, "El texto usa un marcador desconocido."),
})
