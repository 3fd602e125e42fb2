"""API schemas shared by the declarations' two JSON APIs (marshmallow; they also generate the OpenAPI
document)."""

import datetime as dt

import marshmallow as ma


class SealFactsSchema(ma.Schema):
    """Whether the final document is sealed, when, and whether its seal carries a trusted timestamp
    (``verification.seal_facts``)."""

    sealed = ma.fields.Boolean(metadata={"description": "El documento final (la versión vigente con sus firmas "
                                                       "y el certificado de auditoría) está sellado con el "
                                                       "certificado de la institución (PAdES)"})
    final_sha256 = ma.fields.String(allow_none=True, metadata={"description": "SHA-256 del documento final "
                                                                              "sellado; null sin sellar"})
    sealed_at = ma.fields.AwareDateTime(allow_none=True, default_timezone=dt.UTC, metadata={
        "description": "Cuándo se selló, ISO 8601 en UTC; null sin sellar"})
    timestamped = ma.fields.Boolean(metadata={
        "description": "El sello lleva un sello de tiempo RFC 3161 de la autoridad de sellado de tiempo "
                       "configurada (FOROS_DECLARATIONS_TSA_URL), comprobado al sellar: la hora no es solo la "
                       "del servidor; false sin sellar o sin autoridad configurada"})
