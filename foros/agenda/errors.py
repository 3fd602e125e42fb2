"""Agenda: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("agenda", {
    "already_assigned": (422, "Esa persona ya está en esta sesión."),
    "empty_programme": (422, "El programa no tiene sesiones: agregue al menos una antes de publicarlo."),
    "invalid_assignment": (422, "Revise los campos marcados."),
    "invalid_person": (422, "Revise los campos marcados."),
    "invalid_photo": (422, "La fotografía no es válida: use JPEG, PNG o WebP de hasta 5 MB."),
    "invalid_room": (422, "Revise los campos marcados."),
    "invalid_session": (422, "Revise los campos marcados."),
    "invalid_session_type": (422, "Revise el nombre."),
    "list_already_open": (422, "Esta sesión ya tiene su lista de acceso."),
    "note_too_long": (422, "La nota es demasiado larga."),
    "nothing_to_release": (422, "El programa no tiene cambios desde la última versión: no hay nada nuevo que "
                                "publicar."),
    "person_not_found": (404, "Esa persona no participa en el programa publicado de este evento."),
    "session_not_found": (404, "No existe esa sesión en el programa publicado."),
})
