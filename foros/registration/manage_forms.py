"""Organizer forms for registrations: list filters, registration by hand, settings and import."""

from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from foros.core.formatting import fmt_date
from foros.core.forms import BaseForm, ChoiceField, FilterForm, SubForm, strip_filter
from foros.core.municipalities import OTHER_STATE, OTHER_STATE_NAME, municipality_choices
from foros.registration.forms import RegistrationForm
from foros.registration.manage import MAX_SECTORS, PRIVACY_NOTICE_MAX, SECTOR_LABEL_MAX
from foros.registration.models import RegistrationStatus

#: Empty rows offered under the sectors for new ones.
EXTRA_SECTOR_ROWS = 3


class RegistrationFilterForm(FilterForm):
    """Search and filters of the registrations list (GET; an invalid value just drops that filter)."""

    q = StringField("Buscar", filters=[strip_filter], validators=[Length(max=100)],
                    description="Parte del nombre, correo u organización.", render_kw={"type": "search"})
    estado = ChoiceField("Estado", choices=[("", "Todos")] + [(s.value, s.label) for s in RegistrationStatus])
    sector = ChoiceField("Sector", choices=[])
    modalidad = ChoiceField("Modalidad", choices=[])
    dia = ChoiceField("Día", choices=[])
    municipio = ChoiceField("Municipio", choices=[])

    def for_event(self, event):
        """Fill the choices from the event's sectors, modalities and days."""
        self.sector.choices = [("", "Todos")] + [(s["key"], s["label"]) for s in event.sector_options or []]
        self.modalidad.choices = [("", "Todas")] + [(m.value, m.label) for m in event.modality.attendance_modes]
        self.dia.choices = [("", "Todos")] + [(d.day.isoformat(), fmt_date(d.day, "medium")) for d in event.days]
        self.municipio.choices = ([("", "Todos")] + municipality_choices()
                                  + [(OTHER_STATE, OTHER_STATE_NAME)])
        return self

    def filters(self, event) -> dict:
        """Keyword arguments for ``services.search_registrations`` (invalid fields are left out)."""
        self.validate()
        ok = {name for name, f in self._fields.items() if not f.errors}

        def value(name):
            return (self[name].data or "") if name in ok else ""

        day = next((d for d in event.days if d.day.isoformat() == value("dia")), None)
        return {
            "text": " ".join(value("q").split()),
            "status": value("estado"),
            "sector": value("sector"),
            "modality": value("modalidad"),
            "day_id": day.id if day else None,
            "municipality_key": value("municipio"),
        }

    @property
    def active(self) -> bool:
        return any(f.data for name, f in self._fields.items() if name != "csrf_token")


class ManualRegistrationForm(RegistrationForm):
    """A walk-in or invited guest, typed by an organizer (no consent box; use ``for_event(..., False)``)."""

    send_ticket = BooleanField("Enviar el boleto por correo", default=True,
                               description="Desmárquelo si la persona no necesita el correo (por ejemplo, si "
                                           "se registra en la puerta y entra de inmediato).")


class SectorRowForm(SubForm):
    """One sector: its stable key (hidden; empty for a new one), its name, and whether to remove it."""

    key = HiddenField()
    label = StringField("Nombre", filters=[strip_filter], validators=[Length(max=SECTOR_LABEL_MAX)])
    remove = BooleanField("Quitar")

    def is_empty(self) -> bool:
        return not (self.key.data or self.label.data)


class RegistrationSettingsForm(BaseForm):
    """The event's sectors and privacy notice."""

    sectors = FieldList(FormField(SectorRowForm), min_entries=0, max_entries=MAX_SECTORS + EXTRA_SECTOR_ROWS)
    privacy_notice = TextAreaField(
        "Aviso de privacidad", filters=[strip_filter], validators=[Length(max=PRIVACY_NOTICE_MAX)],
        description="Las personas lo leen y aceptan al registrarse. Separe los párrafos con una línea en blanco.",
        render_kw={"rows": 12})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            for _ in range(EXTRA_SECTOR_ROWS):
                self.sectors.append_entry()

    @staticmethod
    def data_for(event) -> dict:
        return {"sectors": [dict(s) for s in event.sector_options or []], "privacy_notice": event.privacy_notice}

    def to_sectors(self) -> list[dict]:
        """The wanted sector list for the service (rows marked to remove and empty rows left out)."""
        return [{"key": e.form.key.data or "", "label": e.form.label.data or ""}
                for e in self.sectors if not e.form.remove.data and not e.form.is_empty()]


class ImportUploadForm(BaseForm):
    """Step 1 of the import: the file."""

    archivo = FileField("Archivo CSV o Excel (.xlsx)", render_kw={"accept": ".csv,.xlsx,text/csv"})
    send_tickets = BooleanField("Enviar boletos por correo", default=True,
                                description="Cada persona nueva recibe su boleto con código QR.")


class ImportConfirmForm(BaseForm):
    """Step 2 of the import: the checked rows (signed by the server) and the e-mail choice."""

    payload = HiddenField()
    send_tickets = BooleanField("Enviar boletos por correo")

