"""Forms of the signing pages (the signatory's link and the organizer's in-person signing)."""

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from foros.core.forms import BaseForm
from foros.declarations.signing import CONSENT_TEXT, REASON_MAX, TYPED_NAME_MAX
from foros.events.services import MAX_YEAR, MIN_YEAR


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class SignForm(BaseForm):
    """Sign from the link: how (drawing or typed name), the one-time code and the consent."""

    method = RadioField("¿Cómo quiere firmar?", choices=[SelectChoice("typed", "Escribiendo mi nombre"),
                                                        SelectChoice("drawn", "Trazando mi firma")],
                        default="typed",
                        validators=[InputRequired("Elija cómo firmar.")])
    drawing = HiddenField()
    typed_name = StringField("Escriba su nombre completo", validators=[Optional(), Length(max=TYPED_NAME_MAX)])
    code = StringField("Código de confirmación (6 dígitos, enviado a su correo)",
                       validators=[InputRequired("Escriba el código que le enviamos por correo."), Length(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"})
    consent = BooleanField(CONSENT_TEXT)


class DeclineForm(BaseForm):
    """Decline to sign, with a reason."""

    reason = TextAreaField("Motivo", validators=[InputRequired("Escriba el motivo por el que no firma."),
                                                 Length(max=REASON_MAX)])


class AutographForm(BaseForm):
    """An organizer records an autograph signature given at the event, with its local date and time."""

    day = DateField("Fecha de la firma", validators=[InputRequired("Indique la fecha.")])
    at = TimeField("Hora de la firma", validators=[InputRequired("Indique la hora.")])

    def validate_day(self, field):
        # A year like 9999 would overflow the local → UTC conversion the view makes (a 500, not a message).
        if field.data is not None and not MIN_YEAR <= field.data.year <= MAX_YEAR:
            raise ValidationError(f"Escriba una fecha entre los años {MIN_YEAR} y {MAX_YEAR}.")


class ScanForm(BaseForm):
    """The scan of the signed paper copy (a PDF, checked by content)."""

    scan = FileField("Copia firmada escaneada (PDF, hasta 6 MB)")
