"""Joint declarations: the error codes their services raise (stable for API clients), with the Spanish default
message and the HTTP status; listed in the OpenAPI document (foros.core.error_catalogue). Codes another domain
already owns (``invalid_transition``, ``unknown_transition``: events; ``reason_required``, ``reason_too_long``,
``invalid_template``: certificates) are that domain's entries."""

from foros.core.error_catalogue import Catalogue

CATALOGUE = Catalogue("declarations", {
    "already_signed": (409, "Esta persona ya firmó."),
    "code_exhausted": (422, "Se agotaron los intentos con este código. Pida uno nuevo."),
    "code_expired": (422, "El código venció (dura 10 minutos). Pida uno nuevo."),
    "code_missing": (422, "Pida primero el código de confirmación: se lo enviaremos por correo."),
    "code_rate_limited": (429, "Ya le enviamos un código hace menos de un minuto: revise su correo (también la "
                               "carpeta de no deseados) o espere un momento."),
    "code_wrong": (422, "Código incorrecto."),
    "consent_required": (422, "Marque la casilla de consentimiento para firmar."),
    "declaration_closed": (409, "La declaratoria ya no se puede editar."),
    "declaration_not_found": (404, "No existe esa declaratoria."),
    "declaration_not_signing": (409, "La declaratoria no está en firma."),
    "invalid_date": (422, "Fecha no válida."),
    "invalid_declaration": (422, "Revise los datos marcados."),
    "invalid_drawing": (422, "La firma trazada no es una imagen PNG válida."),
    "invalid_milestone": (422, "Revise los datos marcados."),
    "invalid_role": (422, "Revise los datos marcados."),
    "invalid_signatory": (422, "Revise los datos marcados."),
    "link_expired": (410, "Este enlace venció. Pida a los organizadores que le envíen uno nuevo."),
    "link_replaced": (410, "Este enlace fue reemplazado por uno más reciente: use el último correo que recibió."),
    "link_unknown": (404, "Este enlace de firma no existe. Revise que lo copió completo."),
    "link_used": (410, "Este enlace ya se usó: la respuesta quedó registrada."),
    "method_required": (422, "Elija cómo firmar: trazando su firma o escribiendo su nombre."),
    "municipality_not_found": (404, "No existe ese municipio."),
    "no_signatories": (409, "Agregue al menos una persona firmante antes de abrir la firma."),
    "no_version": (409, "La declaratoria no tiene texto."),
    "not_signed": (409, "La declaratoria no tiene un texto fijado."),
    "not_viewed": (409, "Abra el documento antes de firmarlo."),
    "not_waiting": (409, "Solo se recuerda a quien fue invitado y aún no firma ni rechaza."),
    "not_your_turn": (409, "Aún no es el turno de esta persona en el orden de firma."),
    "reminded_recently": (409, "Esta persona recibió un recordatorio hace menos de un minuto; espere antes de "
                               "enviar otro."),
    "role_not_found": (404, "No existe ese rol de firmante."),
    "scan_empty": (422, "Elija el archivo PDF escaneado."),
    "scan_not_pdf": (422, "El archivo no es un PDF (aunque su nombre termine en .pdf)."),
    "scan_too_large": (413, "El archivo escaneado es demasiado grande."),
    "seal_unavailable": (503, "No hay un certificado de sello configurado (FOROS_DECLARATIONS_SEAL_PKCS12)."),
    "signatory_not_found": (404, "No existe esa persona firmante."),
    "signatory_signed": (409, "Esta persona ya firmó: su nombre y correo no se cambian."),
    "signatory_without_email": (409, "Esta persona no tiene correo: registre su firma autógrafa en el evento."),
    "signatures_missing": (409, "Faltan firmas."),
    "signed_at_before_opening": (422, "La hora de la firma es anterior a la apertura de la firma de esta "
                                      "versión."),
    "signed_at_future": (422, "La hora de la firma no puede ser posterior a ahora."),
    "template_not_found": (404, "No existe esa plantilla."),
    "timestamp_invalid": (502, "La autoridad de sellado de tiempo respondió con un sello de tiempo que no se pudo "
                               "comprobar (no corresponde al documento o su autoridad no es de confianza según "
                               "FOROS_DECLARATIONS_TSA_ROOTS). El documento final no se selló; las firmas siguen "
                               "registradas. Revise la configuración e intente sellarlo de nuevo."),
    "timestamp_unavailable": (503, "No se pudo obtener el sello de tiempo: la autoridad de sellado de tiempo "
                                   "configurada (FOROS_DECLARATIONS_TSA_URL) no respondió o su respuesta no es "
                                   "válida. El documento final no se selló; las firmas siguen registradas. "
                                   "Intente sellarlo de nuevo en unos minutos."),
    "typed_name_required": (422, "Escriba su nombre completo para firmar."),
    "upload_empty": (422, "Elija el archivo PDF que quiere verificar."),
    "upload_not_pdf": (422, "El archivo no es un PDF (aunque su nombre termine en .pdf)."),
    "upload_too_large": (413, "El archivo es demasiado grande."),
    "version_not_fixed": (409, "El texto aún no está fijado: se edita sin nueva versión."),
})
