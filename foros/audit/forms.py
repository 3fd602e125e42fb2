"""Filters for the audit log page (GET form, no CSRF needed: it changes nothing)."""

from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from foros.audit.services import ACTION_LABELS
from foros.core.forms import ChoiceField, FilterForm, strip_filter


class AuditFilterForm(FilterForm):
    """Filter by action, object type, person, dates and text."""

    accion = ChoiceField("Acción", choices=[("", "Todas")] + sorted(ACTION_LABELS.items()),
                         validators=[Optional()])
    objeto = ChoiceField("Tipo de objeto", validators=[Optional()], choices=[
        ("", "Todos"), ("event", "Eventos"), ("user", "Cuentas"), ("api_token", "Tokens de API"),
        ("registration", "Registros"), ("outbox_message", "Correos"), ("checkin_list", "Listas de acceso"),
        ("checkin", "Accesos"),
    ])
    persona = ChoiceField("Persona", coerce=str, choices=[], validators=[Optional()])
    desde = DateField("Desde", validators=[Optional()])
    hasta = DateField("Hasta", validators=[Optional()])
    texto = StringField("Texto", filters=[strip_filter], validators=[Optional(), Length(max=100)])
