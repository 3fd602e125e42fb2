"""The public registration form (works without JavaScript) and the organizer's filters."""

from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import Length

from foros.core.forms import BaseForm, ChoiceField, MultiChoiceField, strip_filter
from foros.core.limits import MAX_LENGTH
from foros.core.municipalities import municipality_key_from_text, municipality_text
from foros.events.models import Modality
from foros.registration.inputs import GENDER_OPTIONS, RegistrationInput


class RegistrationForm(BaseForm):
    """Everything an attendee fills in; choices depend on the event (set by ``for_event``)."""

    FIELD_ALIASES = {"municipality_key": "municipality"}

    name = StringField("Nombre completo", filters=[strip_filter],
                       validators=[Length(max=MAX_LENGTH["person_name"])],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Correo electrónico", filters=[strip_filter], validators=[Length(max=MAX_LENGTH["email"])],
                       description="Ahí le enviaremos su boleto.", render_kw={"autocomplete": "email"})
    phone = TelField("Teléfono (opcional)", filters=[strip_filter], validators=[Length(max=MAX_LENGTH["phone"])],
                     render_kw={"autocomplete": "tel"})
    sector = ChoiceField("Sector", choices=[], validate_choice=False)
    organization = StringField("Institución u organización", filters=[strip_filter],
                               validators=[Length(max=MAX_LENGTH["organization"])],
                               render_kw={"autocomplete": "organization"})
    position = StringField("Cargo", filters=[strip_filter], validators=[Length(max=MAX_LENGTH["position"])],
                           render_kw={"autocomplete": "organization-title"})
    municipality = StringField("Municipio de residencia", filters=[strip_filter],
                               validators=[Length(max=MAX_LENGTH["municipality_text"])],
                               description="Escriba para buscar; si vive fuera del Estado de México elija "
                                           "«Otra entidad».",
                               render_kw={"list": "municipios", "autocomplete": "off"})
    # The empty choice is "not chosen yet", not an answer: "Prefiero no decir" (stored prefiero_no_decir) is
    # the one way to decline, so the list does not offer it twice.
    gender = ChoiceField("Sexo o género (opcional)", choices=[("", "Elija una opción…")]
                         + GENDER_OPTIONS, validate_choice=False,
                         description="Solo para estadísticas desagregadas.")
    modality = ChoiceField("Modalidad", choices=[], validate_choice=False)
    days = MultiChoiceField("Días a los que asistirá", choices=[], validate_choice=False)
    accessibility = TextAreaField("Necesidades de accesibilidad (opcional)", filters=[strip_filter],
                                  validators=[Length(max=MAX_LENGTH["accessibility"])],
                                  description="Por ejemplo: intérprete de lengua de señas, acceso en silla de "
                                              "ruedas.")
    privacy_consent = BooleanField("He leído y acepto el aviso de privacidad")

    def for_event(self, event, *, with_consent: bool = True):
        """Fill the choices from the event's sectors, modalities and days."""
        self.sector.choices = [("", "Elija su sector…")] + [(s["key"], s["label"]) for s in event.sector_options]
        self.modality.choices = [(m.value, m.label) for m in event.modality.attendance_modes]
        self.days.choices = [(d.day.isoformat(), d.day.isoformat()) for d in event.days]
        if not with_consent:
            del self.privacy_consent
        if not self.is_submitted():
            if len(event.days) == 1:
                self.days.data = [event.days[0].day.isoformat()]
            if event.modality != Modality.HIBRIDA:
                self.modality.data = event.modality.attendance_modes[0].value
        return self

    def to_input(self) -> RegistrationInput:
        """The service's input; the service does the real validation."""
        from datetime import date

        days = []
        for value in self.days.data or []:
            try:
                days.append(date.fromisoformat(value))
            except (TypeError, ValueError):
                days.append(date.min)  # reported by the service as "not a day of the event"
        return RegistrationInput(
            name=self.name.data or "", email=self.email.data or "", phone=self.phone.data or "",
            sector=self.sector.data or "", organization=self.organization.data or "",
            position=self.position.data or "",
            municipality_key=municipality_key_from_text(self.municipality.data, "?"),
            gender=self.gender.data or "", modality=self.modality.data or "", days=days,
            accessibility=self.accessibility.data or "",
            privacy_consent=bool(self.privacy_consent.data) if getattr(self, "privacy_consent", None) else False,
        )

    @staticmethod
    def data_for(registration) -> dict:
        """Initial data to edit an existing registration."""
        return {
            "name": registration.name, "email": registration.email, "phone": registration.phone,
            "sector": registration.sector, "organization": registration.organization,
            "position": registration.position, "municipality": municipality_text(registration.municipality_key),
            "gender": registration.gender, "modality": registration.modality,
            "days": [d.day.isoformat() for d in registration.days], "accessibility": registration.accessibility,
        }
