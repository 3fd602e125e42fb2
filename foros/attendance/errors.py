"""Attendance: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("attendance", {
    "invalid_columns": (422, "Hay columnas desconocidas."),
    "invalid_filter": (422, "Revise los filtros marcados."),
})
