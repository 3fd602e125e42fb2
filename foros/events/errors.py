"""Events: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("events", {
    "event_archived": (409, "Un evento archivado no se puede editar."),
    "event_not_found": (404, "No existe un evento con esa dirección."),
    "invalid_event": (422, "Revise los campos marcados."),
    "invalid_transition": (409, "El evento no puede pasar a ese estado."),
    "no_days": (409, "Agregue al menos un día antes de publicar."),
    "unknown_transition": (400, "Acción no reconocida."),
})
