"""Organizer and participant forms of the agenda (thin: the services judge the data)."""

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from foros.agenda import people, sessions
from foros.agenda.models import SESSION_ROLE_LABELS
from foros.core.forms import BaseForm, ChoiceField, strip_filter
from foros.events.models import Modality

MODALITY_CHOICES = [(m.value, m.label) for m in Modality]
ROLE_CHOICES = [(r.value, label) for r, label in SESSION_ROLE_LABELS.items()]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # not among the choices: "Elija una opción de la lista."


class SessionForm(BaseForm):
    """Create or edit a session."""

    title = StringField("Título", filters=[strip_filter],
                        validators=[InputRequired("Escriba el título."), Length(max=sessions.TITLE_MAX)])
    type_id = ChoiceField("Tipo de sesión", coerce=_int_or_none, validators=[InputRequired("Elija el tipo.")])
    day = DateField("Fecha", validators=[InputRequired("Escriba la fecha.")], render_kw={"type": "date"})
    starts = TimeField("Inicio", validators=[InputRequired("Escriba la hora de inicio.")],
                       render_kw={"type": "time"})
    ends = TimeField("Término", validators=[InputRequired("Escriba la hora de término.")],
                     render_kw={"type": "time"})
    room_id = ChoiceField("Sala o espacio", coerce=_int_or_none, validators=[Optional()])
    modality = ChoiceField("Modalidad", choices=MODALITY_CHOICES, default=Modality.PRESENCIAL.value)
    online_url = StringField("Enlace de transmisión o reunión", filters=[strip_filter],
                             validators=[Optional(), Length(max=sessions.URL_MAX)],
                             description="Privado: solo lo ven quienes se registran en modalidad virtual.")
    description = TextAreaField("Descripción", filters=[strip_filter], validators=[Length(max=5000)])
    capacity = IntegerField("Cupo (opcional)", validators=[Optional(), NumberRange(0, sessions.MAX_CAPACITY,
                                                                                   "Entre 0 y %(max)s.")])

    def set_choices(self, types, rooms) -> None:
        self.type_id.choices = [("", "Elija…")] + [(t.id, t.name) for t in types]
        self.room_id.choices = [("", "Sin sala")] + [(r.id, r.name + (f" ({r.capacity})" if r.capacity else ""))
                                                     for r in rooms]

    def to_input(self) -> sessions.SessionInput:
        return sessions.SessionInput(
            title=self.title.data or "", type_id=self.type_id.data, day=self.day.data, starts=self.starts.data,
            ends=self.ends.data, room_id=self.room_id.data, modality=self.modality.data,
            online_url=self.online_url.data or "", description=self.description.data or "",
            capacity=self.capacity.data)


class RoomForm(BaseForm):
    """Add a room."""

    name = StringField("Nombre de la sala", filters=[strip_filter],
                       validators=[InputRequired("Escriba el nombre."), Length(max=sessions.NAME_MAX)])
    capacity = IntegerField("Cupo (opcional)", validators=[Optional(), NumberRange(0, sessions.MAX_CAPACITY,
                                                                                   "Entre 0 y %(max)s.")])
    for_venue = BooleanField("Sala de la sede (se ofrece a todos los eventos en esa sede)")


class SessionTypeForm(BaseForm):
    """Add a session type."""

    name = StringField("Nuevo tipo de sesión", filters=[strip_filter],
                       validators=[InputRequired("Escriba el nombre."), Length(max=sessions.TYPE_NAME_MAX)])


class PersonForm(BaseForm):
    """Create or correct a person."""

    name = StringField("Nombre", filters=[strip_filter],
                       validators=[InputRequired("Escriba el nombre."), Length(max=people.NAME_MAX)])
    cargo = StringField("Cargo", filters=[strip_filter], validators=[Length(max=people.CARGO_MAX)])
    institution = StringField("Institución", filters=[strip_filter],
                              validators=[Length(max=people.INSTITUTION_MAX)])
    email = StringField("Correo (privado)", filters=[strip_filter], validators=[Length(max=people.EMAIL_MAX)],
                        description="Para enviarle su enlace y avisarle de cambios; nunca se publica.")
    bio = TextAreaField("Semblanza breve", filters=[strip_filter], validators=[Length(max=people.BIO_MAX)])

    def to_input(self) -> people.PersonInput:
        return people.PersonInput(name=self.name.data or "", cargo=self.cargo.data or "",
                                  institution=self.institution.data or "", bio=self.bio.data or "",
                                  email=self.email.data or "")


class AssignForm(BaseForm):
    """Put an existing person on a session."""

    person_id = IntegerField("Persona", validators=[InputRequired("Elija a la persona.")])
    role = ChoiceField("Papel", choices=ROLE_CHOICES)


class AssignmentForm(BaseForm):
    """Change a person's role and order on a session."""

    role = ChoiceField("Papel", choices=ROLE_CHOICES)
    position = IntegerField("Orden", validators=[InputRequired("Escriba el orden."),
                                                 NumberRange(0, 1000, "Entre 0 y 1000.")])


class ProfileForm(BaseForm):
    """What a person corrects from their private link."""

    cargo = StringField("Cargo", filters=[strip_filter], validators=[Length(max=people.CARGO_MAX)])
    institution = StringField("Institución", filters=[strip_filter],
                              validators=[Length(max=people.INSTITUTION_MAX)])
    bio = TextAreaField("Semblanza breve", filters=[strip_filter], validators=[Length(max=people.BIO_MAX)])


class PhotoForm(BaseForm):
    """Upload a photo (checked by its content in the service)."""

    photo = FileField("Foto (JPEG, PNG o WebP, hasta 5 MB)")


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""
