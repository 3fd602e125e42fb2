"""Organizer forms of declarations: the declaration, its signatories, status changes, the board's filters,
milestones of the municipal process, templates and signatory roles."""

from wtforms import BooleanField, DateField, EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from foros.core.forms import BaseForm, ChoiceField, strip_filter
from foros.declarations.manage import BODY_MAX, PLACE_MAX, REASON_MAX, TITLE_MAX
from foros.declarations.models import DeclarationTemplate, SignatoryRole


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


class TemplateForm(BaseForm):
    """A model text: name, default title and body with placeholders, active or retired."""

    name = StringField("Nombre de la plantilla", filters=[strip_filter],
                       validators=[Length(max=DeclarationTemplate.name.type.length)])
    title = StringField("Título de las declaratorias (puede llevar marcadores)", filters=[strip_filter],
                        validators=[Length(max=TITLE_MAX)])
    body = TextAreaField("Texto con marcadores", filters=[strip_filter], validators=[Length(max=BODY_MAX)],
                         render_kw={"rows": 18})
    is_active = BooleanField("Activa (se ofrece al crear una declaratoria)", default=True)


class RoleForm(BaseForm):
    """A signatory role: its name, its place in lists, active or retired."""

    name = StringField("Nombre del rol", filters=[strip_filter],
                       validators=[Length(max=SignatoryRole.name.type.length)])
    position = IntegerField("Orden", default=100, validators=[NumberRange(0, 9999)])
    is_active = BooleanField("Activo (se ofrece al agregar firmantes)", default=True)
