"""Organizer forms for certificates: the template, revoking one, and the one-button actions (CSRF only)."""

from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from foros.certificates.services import (
    BODY_MAX,
    MAX_MIN_COUNT,
    MAX_SIGNERS,
    REASON_MAX,
    SIGNER_NAME_MAX,
    SIGNER_POSITION_MAX,
    TITLE_MAX,
    Signer,
    TemplateInput,
)
from foros.core.forms import BaseForm, strip_filter


class CertificateTemplateForm(BaseForm):
    """Text, signers and who qualifies."""

    title = StringField("Título", filters=[strip_filter],
                        validators=[InputRequired("Escriba el título."), Length(max=TITLE_MAX)])
    body = TextAreaField("Texto de la constancia", filters=[strip_filter],
                         validators=[InputRequired("Escriba el texto de la constancia."), Length(max=BODY_MAX)])
    signer1_name = StringField("Nombre de quien firma (1)", filters=[strip_filter],
                               validators=[Length(max=SIGNER_NAME_MAX)])
    signer1_position = StringField("Cargo (1)", filters=[strip_filter],
                                   validators=[Length(max=SIGNER_POSITION_MAX)])
    signer2_name = StringField("Nombre de quien firma (2)", filters=[strip_filter],
                               validators=[Length(max=SIGNER_NAME_MAX)])
    signer2_position = StringField("Cargo (2)", filters=[strip_filter],
                                   validators=[Length(max=SIGNER_POSITION_MAX)])
    signer3_name = StringField("Nombre de quien firma (3)", filters=[strip_filter],
                               validators=[Length(max=SIGNER_NAME_MAX)])
    signer3_position = StringField("Cargo (3)", filters=[strip_filter],
                                   validators=[Length(max=SIGNER_POSITION_MAX)])
    min_days = IntegerField("Mínimo de días con asistencia", default=0,
                            validators=[Optional(), NumberRange(0, MAX_MIN_COUNT, "Entre 0 y %(max)s.")],
                            description="0: basta con haber entrado un día.")
    min_lists = IntegerField("Mínimo de listas de acceso con asistencia", default=1,
                             validators=[Optional(), NumberRange(0, MAX_MIN_COUNT, "Entre 0 y %(max)s.")],
                             description="1: basta con haber entrado a una lista (día, taller, sesión).")

    #: The service names the signers as one field; its messages go to the summary.
    SUMMARY_FIELDS = frozenset({"signers"})

    def to_input(self) -> TemplateInput:
        signers = [Signer(getattr(self, f"signer{i}_name").data or "",
                          getattr(self, f"signer{i}_position").data or "") for i in range(1, MAX_SIGNERS + 1)]
        return TemplateInput(title=self.title.data or "", body=self.body.data or "", signers=signers,
                             min_days=self.min_days.data or 0,
                             min_lists=1 if self.min_lists.data is None else self.min_lists.data)

    @classmethod
    def data_for(cls, template) -> dict:
        data = {"title": template.title, "body": template.body, "min_days": template.min_days,
                "min_lists": template.min_lists}
        for i, signer in enumerate(template.signers or [], start=1):
            data[f"signer{i}_name"], data[f"signer{i}_position"] = signer["name"], signer["position"]
        return data


class RevokeForm(BaseForm):
    """Why a certificate is revoked."""

    reason = StringField("Motivo", filters=[strip_filter],
                         validators=[InputRequired("Escriba el motivo."), Length(max=REASON_MAX)])


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""
