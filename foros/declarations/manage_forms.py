"""Organizer forms of declarations: the declaration, its signatories, status changes, the board's filters,
milestones of the municipal process."""

from wtforms import DateField, EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from foros.core.forms import BaseForm, ChoiceField, strip_filter
from foros.declarations.manage import BODY_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX


class DeclarationForm(BaseForm):
    """Municipality, optional forum, title, place and date (new: the template; edit: the text)."""

    municipality_key = ChoiceField("Municipio")
    event_id = ChoiceField("Foro del que deriva (opcional)", coerce=int)
    template_id = ChoiceField("Plantilla", coerce=int)
    title = StringField("Título (vacío: el de la plantilla)", filters=[strip_filter],
                        validators=[Length(max=TITLE_MAX)])
    place = StringField("Lugar de la firma", filters=[strip_filter], validators=[Length(max=PLACE_MAX)])
    signing_date = DateField("Fecha de la firma", validators=[Optional()])
    body = TextAreaField("Texto", filters=[strip_filter], validators=[Length(max=BODY_MAX)])


class SignatoryForm(BaseForm):
    """A signatory."""

    name = StringField("Nombre", filters=[strip_filter], validators=[Length(max=200)])
    position = StringField("Cargo", filters=[strip_filter], validators=[Length(max=200)])
    institution = StringField("Institución", filters=[strip_filter], validators=[Length(max=250)])
    role_id = ChoiceField("Rol", coerce=int)
    email = EmailField("Correo", filters=[strip_filter], validators=[Length(max=254)])
    signing_order = IntegerField("Orden de firma (opcional)", validators=[Optional(), NumberRange(1, 99)])


class TransitionForm(BaseForm):
    """A status change, with the reason and expected date postponing and cancelling ask for."""

    transition = HiddenField()
    reason = TextAreaField("Motivo", filters=[strip_filter], validators=[Length(max=REASON_MAX)])
    expected_date = DateField("Fecha prevista para reanudar (opcional)", validators=[Optional()])


class ActionForm(BaseForm):
    """A button: only the CSRF token."""


class BoardFilterForm(BaseForm):
    """Filters of the tracking board (GET)."""

    class Meta:
        csrf = False

    status = ChoiceField("Estado", validate_choice=True)
    municipality = ChoiceField("Municipio")
    role = ChoiceField("Rol de firmante", coerce=int)


class MilestoneForm(BaseForm):
    """One milestone of a municipal process."""

    status = ChoiceField("Estado")
    planned_date = DateField("Fecha prevista", validators=[Optional()])
    actual_date = DateField("Fecha real", validators=[Optional()])
    notes = TextAreaField("Notas", filters=[strip_filter], validators=[Length(max=2000)])
