"""The attendance export form: scope, filters, columns and format."""

from sqlalchemy import select
from wtforms import SubmitField

from foros.accounts.forms import MultiCheckboxField
from foros.attendance import services
from foros.checkin.models import CheckinList
from foros.core.forms import BaseForm, ChoiceField
from foros.core.municipalities import OTHER_STATE, OTHER_STATE_NAME, municipality_choices
from foros.extensions import db


class AttendanceExportForm(BaseForm):
    """Which people, which columns, which format (POST: an export is audit-logged)."""

    day = ChoiceField("Día", default="")
    list_slug = ChoiceField("Lista de registro", default="",
                            description="Una lista limita «Ingresó» a quienes entraron por ella.")
    status = ChoiceField("Estado", default="")
    sector = ChoiceField("Sector", default="")
    municipality = ChoiceField("Municipio", default="")
    modality = ChoiceField("Modalidad", default="")
    columns = MultiCheckboxField("Columnas")
    format = ChoiceField("Formato", default="csv", choices=list(services.FORMATS.items()))
    export = SubmitField("Descargar")
    save_columns = SubmitField("Guardar columnas como predeterminadas")

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", "Todos")]
        self.day.choices = [("", "Todos los días")] + [(d.day.isoformat(), d.day.strftime("%d/%m/%Y"))
                                                        for d in event.days]
        lists = db.session.scalars(select(CheckinList).where(CheckinList.event_id == event.id)
                                   .order_by(CheckinList.id))
        self.list_slug.choices = [("", "Todas las listas")] + [(cl.slug, cl.name) for cl in lists]
        self.status.choices = everyone + list(services.STATUS_FILTERS.items())
        self.sector.choices = everyone + [(s["key"], s["label"]) for s in event.sector_options or []]
        self.municipality.choices = everyone + municipality_choices() + [(OTHER_STATE, OTHER_STATE_NAME)]
        self.modality.choices = everyone + [(m.value, m.label) for m in event.modality.attendance_modes]
        self.columns.choices = [(c.key, c.header) for c in services.COLUMNS.values()]
        if not self.columns.data:
            self.columns.data = services.default_columns(event)

    def filters(self) -> services.AttendanceFilter:
        return services.AttendanceFilter(day=self.day.data or "", list_slug=self.list_slug.data or "",
                                         status=self.status.data or "", sector=self.sector.data or "",
                                         municipality=self.municipality.data or "",
                                         modality=self.modality.data or "")
