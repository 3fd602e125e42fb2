"""Background jobs: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("jobs", {
    "job_expired": (422, "El archivo ya no está disponible; vuelva a solicitarlo."),
    "job_not_ready": (422, "El archivo todavía no está listo."),
    "unknown_job_kind": (422, "Este tipo de trabajo ya no existe en el servidor."),
})
