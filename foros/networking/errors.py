"""Networking: the error codes its services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue)."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("networking", {
    "conclusion_deleted": (409, "Otra persona eliminó esta conclusión mientras usted la editaba."),
    "stale_edit": (409, "Otra persona cambió esta conclusión mientras usted la editaba."),
    "agenda_empty": (422, "Agregue al menos una conclusión antes de publicar."),
    "agenda_not_found": (404, "No existe esa agenda estatal."),
    "bad_direction": (422, "Indique si sube o baja."),
    "capture_closed": (409, "La organización cerró la captura de esta mesa: ya no se aceptan cambios."),
    "conclusion_empty": (422, "Escriba el texto de la conclusión."),
    "conclusion_not_found": (404, "No existe esa conclusión en esta sesión."),
    "conclusion_not_published": (422, "Solo se agregan conclusiones publicadas."),
    "conclusion_too_long": (422, "La conclusión es demasiado larga."),
    "csrf_invalid": (400, "La página caducó; recárguela para seguir guardando. Lo que escribió sigue guardado en "
                          "este teléfono."),
    "format_not_found": (404, "Formato no disponible."),
    "invalid_client_uuid": (422, "El identificador de la conclusión no es válido."),
    "invalid_conclusion": (422, "La conclusión no es válida."),
    "invalid_direction": (422, "Indique si la conclusión sube o baja."),
    "invalid_json": (400, "El cuerpo debe ser un objeto JSON."),
    "invalid_operation": (422, "Operación no válida."),
    "invalid_table": (422, "Revise los datos de la mesa."),
    "invalid_version": (422, "Falta la versión en la que se basó el cambio. Recargue la página."),
    "item_not_found": (404, "Ese elemento no está en la agenda."),
    "merge_needs_two": (422, "Elija al menos dos conclusiones para fusionar."),
    "merge_other_session": (422, "Solo se fusionan conclusiones de la misma sesión."),
    "no_tables": (422, "Agregue al menos una mesa antes de asignar."),
    "not_checked_in": (422, "Solo se puede asignar a personas que ya registraron su entrada."),
    "not_published": (404, "Las conclusiones de esta sesión aún no se publican."),
    "nothing_approved": (422, "Apruebe al menos una conclusión antes de publicar."),
    "split_keeps_one": (422, "Debe quedar al menos un texto original en la conclusión."),
    "split_needs_source": (422, "Elija qué textos originales separar."),
    "support_closed": (422, "El registro de apoyos de esta sesión ya cerró."),
    "support_not_allowed": (403, "Este boleto no puede marcar apoyos en esta sesión."),
    "table_has_conclusions": (422, "La mesa ya tiene conclusiones capturadas; no se puede eliminar."),
    "theme_not_found": (422, "Ese tema no existe."),
    "title_required": (422, "Escriba el título de la agenda."),
    "title_too_long": (422, "El título es demasiado largo."),
    "too_many_conclusions": (422, "La mesa ya tiene el máximo de conclusiones."),
    "too_many_tables": (422, "La sesión ya tiene el máximo de mesas."),
})
