"""The filters of the statistics across events."""

from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from foros.core.forms import ChoiceField, FilterForm
from foros.events.models import EVENT_KIND_LABELS


class StatsFilterForm(FilterForm):
    """A date range (Mexico City dates) and a kind of event."""

    desde = DateField("Desde", validators=[Optional()])
    hasta = DateField("Hasta", validators=[Optional()])
    tipo = ChoiceField("Tipo de evento", validators=[Optional()],
                       choices=[("", "Todos")] + [(k.value, label) for k, label in EVENT_KIND_LABELS.items()])

    def validate_hasta(self, field):
        if field.data and self.desde.data and field.data < self.desde.data:
            raise ValidationError("La fecha final debe ser igual o posterior a la inicial.")
