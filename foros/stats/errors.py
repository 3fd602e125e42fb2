"""Statistics: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("stats", {
    "open_data_not_found": (404, "No hay datos abiertos publicados de ese evento."),
    "open_data_not_ready": (409, "Solo se publican datos abiertos de eventos públicos que ya terminaron."),
})
