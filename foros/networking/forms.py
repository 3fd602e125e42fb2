"""Organizer forms of the networking tables (thin: the services judge the data)."""

from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from foros.core.forms import BaseForm, ChoiceField, strip_filter
from foros.networking import tables


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # not among the choices: "Elija una opción de la lista."


class TableForm(BaseForm):
    """Add or edit a table."""

    number = IntegerField("Número de mesa", validators=[
        InputRequired("Escriba el número de la mesa."),
        NumberRange(1, tables.MAX_TABLE_NUMBER, "Escriba un número entre %(min)s y %(max)s.")])
    topic = StringField("Pregunta guía o tema", filters=[strip_filter], validators=[Length(max=tables.TOPIC_MAX)])
    facilitator = StringField("Facilitador(a)", filters=[strip_filter], validators=[Length(max=tables.NAME_MAX)])
    rapporteur = StringField("Relator(a)", filters=[strip_filter], validators=[Length(max=tables.NAME_MAX)])

    def to_input(self) -> tables.TableInput:
        return tables.TableInput(number=self.number.data, topic=self.topic.data or "",
                                 facilitator=self.facilitator.data or "", rapporteur=self.rapporteur.data or "")


class SeatForm(BaseForm):
    """Seat one checked-in attendee at a table by hand."""

    registration_id = ChoiceField("Persona", coerce=_int_or_none,
                                  validators=[InputRequired("Elija una persona de la lista.")])

    def set_choices(self, people) -> None:
        self.registration_id.choices = [("", "Elija…")] + [(r.id, r.name) for r in people]


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""
