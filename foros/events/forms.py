"""Organizer forms for events."""

import re

from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, InputRequired, Length, NumberRange, Optional, Regexp

from foros.core.forms import BaseForm, ChoiceField, SubForm, strip_filter
from foros.core.municipalities import municipality_choices
from foros.core.text import SLUG_PATTERN
from foros.core.time import LOCAL_TZ, to_local
from foros.events.models import EVENT_KIND_LABELS, Modality
from foros.events.services import DayInput, EventInput

EXTRA_DAY_ROWS = 2
#: How the event service names the errors of one day (its index among the days sent).
_DAY_KEY = re.compile(r"days-(\d+)")


class DayForm(SubForm):
    """One row of the days table; a row left empty is ignored."""

    day = DateField("Fecha", validators=[Optional()], render_kw={"type": "date"})
    starts = TimeField("Inicio", validators=[Optional()], render_kw={"type": "time"})
    ends = TimeField("Término", validators=[Optional()], render_kw={"type": "time"})

    def is_empty(self) -> bool:
        return not (self.day.data or self.starts.data or self.ends.data)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.is_empty():
            for name in ("day", "starts", "ends"):
                if getattr(self, name).data is None:
                    getattr(self, name).errors = list(getattr(self, name).errors) + ["Falta este dato."]
                    ok = False
        return ok


class EventForm(BaseForm):
    """Create or edit an event."""

    SUMMARY_FIELDS = frozenset({"days"})

    title = StringField("Título", filters=[strip_filter], validators=[InputRequired("Escriba el título."),
                                                                      Length(max=200)])
    slug = StringField(
        "Dirección (slug)", filters=[strip_filter],
        description="Parte final de la dirección pública; se genera del título si la deja vacía.",
        validators=[Optional(), Length(max=80),
                    Regexp(SLUG_PATTERN, message="Use solo minúsculas, números y guiones.")],
    )
    kind = ChoiceField("Tipo de evento", choices=[(k.value, v) for k, v in EVENT_KIND_LABELS.items()])
    municipality_key = ChoiceField("Municipio sede", choices=[])
    venue = StringField("Sede", filters=[strip_filter], validators=[Length(max=200)])
    address = StringField("Dirección de la sede", filters=[strip_filter], validators=[Length(max=300)])
    modality = ChoiceField("Modalidad", choices=[(m.value, m.label) for m in Modality])
    capacity_in_person = IntegerField(
        "Cupo presencial", validators=[Optional(), NumberRange(0, 1_000_000, "Entre 0 y 1,000,000.")],
        description="Vacío: sin límite.",
    )
    capacity_virtual = IntegerField(
        "Cupo virtual", validators=[Optional(), NumberRange(0, 1_000_000, "Entre 0 y 1,000,000.")],
        description="Vacío: sin límite.",
    )
    online_url = StringField("Enlace de transmisión", filters=[strip_filter],
                             validators=[Optional(), Length(max=500), URL(message="Escriba un enlace válido.")])
    registration_opens_at = DateTimeLocalField("Apertura del registro", validators=[Optional()],
                                               format="%Y-%m-%dT%H:%M")
    registration_closes_at = DateTimeLocalField("Cierre del registro", validators=[Optional()],
                                                format="%Y-%m-%dT%H:%M")
    description = TextAreaField("Descripción", filters=[strip_filter], validators=[Length(max=5000)])
    institutions = TextAreaField("Instituciones participantes", filters=[strip_filter],
                                 description="Una por línea.", validators=[Length(max=3000)])
    days = FieldList(FormField(DayForm), min_entries=1, max_entries=12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_key.choices = [("", "Elija un municipio…")] + municipality_choices()
        if not self.is_submitted():
            filled = sum(1 for entry in self.days if not entry.form.is_empty())
            while len(self.days) < filled + EXTRA_DAY_ROWS:
                self.days.append_entry()

    def to_input(self) -> EventInput:
        """Turn the validated form into the service's input."""

        def local(value):
            return value.replace(tzinfo=LOCAL_TZ) if value else None

        return EventInput(
            title=self.title.data,
            slug=self.slug.data or "",
            kind=self.kind.data,
            municipality_key=self.municipality_key.data,
            modality=Modality(self.modality.data),
            days=[DayInput(e.form.day.data, e.form.starts.data, e.form.ends.data)
                  for e in self.days if not e.form.is_empty()],
            venue=self.venue.data or "",
            address=self.address.data or "",
            capacity_in_person=self.capacity_in_person.data,
            capacity_virtual=self.capacity_virtual.data,
            online_url=self.online_url.data or "",
            registration_opens_at=local(self.registration_opens_at.data),
            registration_closes_at=local(self.registration_closes_at.data),
            description=self.description.data or "",
            institutions=self.institutions.data or "",
        )

    def apply_errors(self, fields: dict) -> None:
        """Show a service's per-field errors next to the right inputs.

        A day's errors come as "days-<i>", ``i`` counting only the rows filled in (as ``to_input`` sends
        them): they go on that row, whose inputs are then marked invalid, and also into the summary at the
        top, where the message names the date.
        """
        filled = [entry.form for entry in self.days if not entry.form.is_empty()]
        for name, messages in fields.items():
            match = _DAY_KEY.fullmatch(name)
            if match and int(match.group(1)) < len(filled):
                row = filled[int(match.group(1))]
                row.form_errors = list(row.form_errors) + list(messages)
                self.form_errors.extend(messages)
                continue
            super().apply_errors({name: messages})


def event_form_data(event) -> dict:
    """The form's initial data for an existing event (local times)."""
    def local_naive(value):
        return to_local(value).replace(tzinfo=None) if value else None

    return {
        "title": event.title, "slug": event.slug, "kind": event.kind.value,
        "municipality_key": event.municipality_key, "venue": event.venue, "address": event.address,
        "modality": event.modality.value, "capacity_in_person": event.capacity_in_person,
        "capacity_virtual": event.capacity_virtual, "online_url": event.online_url,
        "registration_opens_at": local_naive(event.registration_opens_at),
        "registration_closes_at": local_naive(event.registration_closes_at),
        "description": event.description, "institutions": event.institutions,
        "days": [{"day": d.day, "starts": to_local(d.starts_at).time(), "ends": to_local(d.ends_at).time()}
                 for d in event.days],
    }
