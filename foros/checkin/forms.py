"""Door forms: the walk-in registration typed by staff, and the organizer's new check-in list."""

from wtforms import BooleanField, DateTimeLocalField, EmailField, StringField
from wtforms.validators import Length, Optional

from foros.accounts.forms import MultiCheckboxField
from foros.core.formatting import fmt_date
from foros.core.forms import BaseForm, ChoiceField, strip_filter
from foros.core.limits import MAX_LENGTH
from foros.core.municipalities import municipality_key_from_text
from foros.core.time import LOCAL_TZ
from foros.events.models import Modality
from foros.registration.inputs import RegistrationInput


class WalkInForm(BaseForm):
    """Someone who arrives without a registration: the least the door needs, typed by staff."""

    FIELD_ALIASES = {"municipality_key": "municipality"}
    SUMMARY_FIELDS = frozenset({"days"})

    name = StringField("Nombre completo", filters=[strip_filter],
                       validators=[Length(max=MAX_LENGTH["person_name"])],
                       render_kw={"autocomplete": "off"})
    sector = ChoiceField("Sector", choices=[], validate_choice=False)
    organization = StringField("Institución u organización", filters=[strip_filter],
                               validators=[Length(max=MAX_LENGTH["organization"])],
                               render_kw={"autocomplete": "off"})
    municipality = StringField("Municipio de residencia", filters=[strip_filter],
                               validators=[Length(max=MAX_LENGTH["municipality_text"])],
                               description="Escriba para buscar; fuera del Estado de México: «Otra entidad».",
                               render_kw={"list": "municipios", "autocomplete": "off"})
    email = EmailField("Correo electrónico (opcional)", filters=[strip_filter],
                       validators=[Length(max=MAX_LENGTH["email"])],
                       description="Si lo escribe, le enviamos su boleto.", render_kw={"autocomplete": "off"})
    modality = ChoiceField("Modalidad", choices=[], validate_choice=False)
    privacy_consent = BooleanField("La persona conoce el aviso de privacidad y acepta que se registren sus datos")

    def for_event(self, event):
        """Fill the sectors and modalities from the event (walk-ins are at the venue: in person first)."""
        self.sector.choices = [("", "Elija el sector…")] + [(s["key"], s["label"]) for s in event.sector_options]
        modes = event.modality.attendance_modes
        if len(modes) > 1:
            self.modality.choices = [(m.value, m.label) for m in modes]
            if not self.is_submitted():
                self.modality.data = Modality.PRESENCIAL.value
        else:
            del self.modality
        return self

    def to_input(self, days) -> RegistrationInput:
        """The registration service's input (the service validates)."""
        modality = getattr(self, "modality", None)
        return RegistrationInput(
            name=self.name.data or "", email=self.email.data or "", sector=self.sector.data or "",
            organization=self.organization.data or "",
            municipality_key=municipality_key_from_text(self.municipality.data, "?"),
            modality=(modality.data or "") if modality is not None else "", days=list(days),
            privacy_consent=bool(self.privacy_consent.data),
        )



class CheckinListForm(BaseForm):
    """A list for part of an event (a panel, the networking session)."""

    name = StringField("Nombre", filters=[strip_filter], validators=[Length(max=MAX_LENGTH["list_name"])],
                       description="Por ejemplo: «Mesa de trabajo 2» o «Sesión de vinculación».")
    slug = StringField("Nombre corto", filters=[strip_filter], validators=[Length(max=MAX_LENGTH["list_slug"])],
                       description="Minúsculas, números y guiones; aparece en la dirección de la puerta.")
    day = ChoiceField("Día", choices=[], default="")
    starts_at = DateTimeLocalField("Desde (opcional)", validators=[Optional()], format="%Y-%m-%dT%H:%M",
                                   description="Hora del centro de México. Fuera del horario, el boleto no pasa.")
    ends_at = DateTimeLocalField("Hasta (opcional)", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    modalities = MultiCheckboxField("Modalidades que entran", choices=[], validate_choice=True)

    def for_event(self, event):
        """Fill the days and modalities of the event."""
        self.day.choices = [("", "Todos los días")] + [(str(d.id), fmt_date(d.day)) for d in event.days]
        self.modalities.choices = [(m.value, m.label) for m in Modality if m != Modality.HIBRIDA]
        if not self.is_submitted():
            self.modalities.data = [Modality.PRESENCIAL.value]
        return self

    @staticmethod
    def local(value):
        """A Mexico City wall-clock time from the form as an aware datetime."""
        return value.replace(tzinfo=LOCAL_TZ) if value else None

