"""Check-in: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("checkin", {
    "checkin_not_found": (404, "No existe ese registro de acceso en esta lista."),
    "invalid_list": (422, "Revise los campos marcados."),
    "invalid_scanned_at": (422, "La hora de lectura no es válida."),
    "list_not_found": (404, "Ese evento no tiene esa lista de acceso."),
    "not_assigned": (403, "Su cuenta no está asignada a este evento."),
    "not_undoable": (409, "Ese registro de acceso no se puede deshacer."),
    "scan_id_reused": (409, "Ese scan_id ya se usó en otra lista."),
})
