"""Importing invited guests from CSV and XLSX: reading, per-row checks, preview, all-or-nothing import,
no duplicates on re-import, size limits, and a formula-safe template."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from foros.audit.models import AuditEntry
from foros.core import export
from foros.core.errors import DomainError
from foros.core.time import local_today
from foros.events.models import EventStatus, Modality
from foros.events.services import DayInput
from foros.extensions import db
from foros.mail.models import OutboxMessage
from foros.registration import imports, manage, signup
from foros.registration.inputs import RegistrationInput
from foros.registration.models import Registration, RegistrationSource, RegistrationStatus
from tests.conftest import make_event

HEADER = ["nombre", "correo", "telefono", "sector", "organizacion", "cargo", "municipio", "sexo", "modalidad",
          "dias", "accesibilidad"]


def guest(n, **overrides) -> dict:
    row = {"nombre": f"Invitada Número {n}", "correo": f"invitada{n}@example.org", "telefono": "722 123 4567",
           "sector": "Servidor(a) público(a)", "organizacion": "Ayuntamiento", "cargo": "Regidora",
           "municipio": "Toluca", "sexo": "mujer", "modalidad": "", "dias": "", "accesibilidad": ""}
    row.update(overrides)
    return row


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def count(model=Registration) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def url(event, tail="") -> str:
    return f"/gestion/eventos/{event.slug}/registros/importar{tail}"


def upload(client, event, content: bytes, filename="invitados.csv", send_tickets=True):
    values = {"archivo": FileStorage(io.BytesIO(content), filename=filename,
                                     content_type="application/octet-stream")}
    if send_tickets:
        values["send_tickets"] = "y"
    # Encoded in memory: the test client would spool bodies over 500 KB to a temporary file it never closes.
    boundary, body = encode_multipart(values)
    return client.post(url(event), data=body, content_type=f"multipart/form-data; boundary={boundary}")


def payload_of(html: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', html)
    assert match, "no confirm form in the preview"
    return match.group(1)


def confirm(client, event, html, send_tickets=True):
    data = {"payload": payload_of(html)}
    if send_tickets:
        data["send_tickets"] = "y"
    return client.post(url(event, "/confirmar"), data=data)


# --- Pure functions ------------------------------------------------------------------------------------


def test_headers_match_tolerantly_and_unknown_ones_are_listed():
    table = [["Nombre Completo", "Correo Electrónico", "TELÉFONO", " Sector ", "Institución", "Municipio",
              "Sexo/Género", "Días", "Notas"], ["Ana", "a@example.org", "", "academia", "", "Toluca", "", "", "x"]]
    rows, ignored = imports.parse_rows(table)
    assert ignored == ["Notas"]
    assert rows[0].line == 2 and rows[0].values["email"] == "a@example.org"
    assert rows[0].values["organization"] == "" and rows[0].values["position"] == ""
    assert set(rows[0].values) == set(imports.COLUMN_NAMES)


@pytest.mark.parametrize(("table", "message"), [
    ([], "vacío"),
    ([["nombre", "correo", "sector"]], "Faltan columnas obligatorias en la primera fila: municipio"),
    ([["nombre", "correo", "sector", "municipio", "Correo"]], "aparece dos veces"),
    ([["nombre", "correo", "sector", "municipio"], [], ["", " ", "", ""]], "no tiene filas con datos"),
    ([["nombre", "correo", "sector", "municipio"]] + [["a", "b", "c", "d"]] * 4, "más de 3 filas"),
])
def test_file_level_rejections(table, message):
    with pytest.raises(imports.FileRejected) as err:
        imports.parse_rows(table, max_rows=3)
    assert message in err.value.message


def test_csv_reader_handles_excel_habits():
    # Windows-1252 with semicolons, as Excel in Spanish saves "CSV (delimitado por comas)"
    data = "nombre;correo;sector;municipio\r\nJosé Núñez;jose@example.org;academia;Ecatepec\r\n".encode("cp1252")
    assert imports.read_table("lista.csv", data)[1] == ["José Núñez", "jose@example.org", "academia", "Ecatepec"]
    bom = "\ufeffnombre,correo\n\"Pérez, Ana\",a@example.org\n".encode()
    assert imports.read_table("lista.csv", bom) == [["nombre", "correo"], ["Pérez, Ana", "a@example.org"]]


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("lista.xls", b"\xd0\xcf\x11\xe0rest", "formato antiguo"),
    ("lista.pdf", b"%PDF-1.4", "Suba un archivo .csv o .xlsx"),
    ("lista.xlsx", b"not a zip", "no es un libro de Excel"),
    ("lista.xlsx", b"PK\x03\x04broken", "no es un libro de Excel"),
    ("lista.csv", b"nombre\x00,correo", "no es un CSV de texto"),
])
def test_unreadable_files(filename, data, message):
    with pytest.raises(imports.FileRejected) as err:
        imports.read_table(filename, data)
    assert message in err.value.message


def test_xlsx_cells_are_read_as_text_and_formulas_are_not_evaluated():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nombre", "correo", "municipio", "dias", "telefono"])
    sheet.append(["Ana", "ana@example.org", 15031, datetime(2030, 5, 6), 7221234567])
    sheet.append(["=1+1", "b@example.org", 15106.0, date(2030, 5, 7), None])
    out = io.BytesIO()
    workbook.save(out)
    rows = imports.read_table("lista.xlsx", out.getvalue())
    assert rows[1] == ["Ana", "ana@example.org", "15031", "2030-05-06", "7221234567"]
    assert rows[2] == ["=1+1", "b@example.org", "15106", "2030-05-07"]


def test_zip_bomb_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (5 * 1024 * 1024))
    with pytest.raises(imports.FileRejected) as err:
        imports.read_table("x.xlsx", out.getvalue(), max_unpacked=1024 * 1024)
    assert "demasiado grande una vez descomprimido" in err.value.message


def test_row_checks_map_vocabulary(app):
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=10, capacity_virtual=10)
    row = imports.ParsedRow(2, {**{n: "" for n in imports.COLUMN_NAMES}, "name": "Ana López",
                                "email": "ana@example.org", "sector": "SOCIEDAD CIVIL ORGANIZADA",
                                "municipality": "cuautitlan izcalli", "gender": "H", "modality": "En línea"})
    data, errors = imports.check_row(event, row)
    assert errors == []
    assert (data.sector, data.municipality_key, data.gender, data.modality) == (
        "sociedad_civil", "15121", "hombre", "virtual")
    assert data.days == [event.days[0].day]


def test_service_refuses_invalid_rows_and_archived_events(app, organizer):
    event = make_event()
    good = RegistrationInput(name="Ana López", email="ana@example.org", sector="academia",
                             municipality_key="15031")
    bad = RegistrationInput(name="B", email="no", sector="academia", municipality_key="15031")
    with pytest.raises(DomainError) as err:
        manage.import_registrations(event, [(2, good), (3, bad)], actor=organizer)
    assert err.value.code == "import_rejected" and set(err.value.fields) == {"3"}
    db.session.rollback()
    assert count() == 0
    with pytest.raises(DomainError) as err:
        manage.import_registrations(event, [], actor=organizer)
    assert err.value.code == "empty_import"
    event.status = EventStatus.ARCHIVED
    with pytest.raises(DomainError) as err:
        manage.import_registrations(event, [(2, good)], actor=organizer)
    assert err.value.code == "event_archived"


# --- Pages ---------------------------------------------------------------------------------------------


def test_upload_page_explains_columns(organizer_client):
    event = make_event()
    html = organizer_client.get(url(event)).get_data(as_text=True)
    assert "Descargar plantilla CSV" in html and "<code>municipio</code>" in html
    assert 'enctype="multipart/form-data"' in html and "Máximo 2 MB y 1,000 filas" in html
    assert "Enviar boletos por correo" in html and "checked" in html


def test_preview_reports_every_row_error_and_imports_nothing(organizer_client):
    event = make_event()
    rows = [
        guest(1),
        guest(2, correo="no-es-un-correo"),
        guest(3, sector="Astronautas"),
        guest(4, municipio="Guadalajara"),
        guest(5, nombre="N" * 10_000),
        guest(6, nombre="<script>alert('x')</script>", dias="2001-01-01"),
        guest(7, correo="INVITADA1@example.org"),
        guest(8, sexo="quizá", dias="mañana"),
        guest(9, nombre="=HYPERLINK(\"http://malo\")"),
    ]
    response = upload(organizer_client, event, csv_bytes(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No se importará a nadie" in html and "8 filas tienen errores" in html
    assert 'name="payload"' not in html  # no confirm button
    assert "Correo: Escriba un correo electrónico válido" in html
    assert "Sector: «Astronautas» no es un sector de este evento." in html
    assert "Municipio: «Guadalajara» no es un municipio del Estado de México" in html
    assert "Nombre: Máximo 200 caracteres." in html
    assert "N" * 100 not in html  # long values are cut on the page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Días: 2001-01-01 no es un día del evento." in html
    assert "Correo: repetido, ya aparece en la fila 2." in html
    assert "Sexo: «quizá» no es una opción" in html and "Días: «mañana» no es una fecha" in html
    assert "Nombre: contiene una fórmula" in html
    assert "Nuevo: confirmado" in html  # the good row still says what would happen
    assert count() == 0 and count(OutboxMessage) == 0


def test_valid_csv_imports_rows_and_queues_tickets(organizer_client, organizer):
    event = make_event(capacity_in_person=2)
    rows = [guest(1, sector="academia", municipio="15106"), guest(2, municipio="otra", sexo=""),
            guest(3, nombre="Tercera Invitada", municipio="Ecatepec de Morelos")]
    preview = upload(organizer_client, event, csv_bytes(rows, delimiter=";"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "3 personas nuevas (1 en lista de espera por falta de cupo)" in html
    assert "Nuevo: lista de espera" in html and count() == 0
    response = confirm(organizer_client, event, html)
    assert response.status_code == 302 and response.headers["Location"].endswith("/registros")
    regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [r.email for r in regs] == ["invitada1@example.org", "invitada2@example.org", "invitada3@example.org"]
    assert all(r.source == RegistrationSource.IMPORT and r.privacy_consent_at is None for r in regs)
    assert [r.status for r in regs] == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITLISTED]
    assert (regs[0].sector, regs[0].municipality_key, regs[1].municipality_key) == ("academia", "15106", "otra")
    assert regs[0].sector == "academia" and regs[1].sector == "servidor_publico"
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert kinds == ["registration.confirmed", "registration.confirmed", "registration.waitlisted"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.import")).one()
    assert entry.details["created"] == 3 and entry.details["file"] == "invitados.csv"
    listing = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Importación terminada: 3 personas registradas (1 en lista de espera)" in listing


def test_reimport_skips_known_emails_case_insensitively(organizer_client):
    event = make_event()
    signup.register_attendee(event, RegistrationInput(name="Ya Registrada", email="Invitada1@Example.org",
                                                        sector="academia", municipality_key="15031",
                                                        privacy_consent=True))
    db.session.commit()
    content = csv_bytes([guest(1), guest(2)])
    html = upload(organizer_client, event, content).get_data(as_text=True)
    assert "Ya registrado: se omite" in html and "1 persona nueva" in html
    confirm(organizer_client, event, html)
    assert count() == 2
    messages = count(OutboxMessage)
    again = upload(organizer_client, event, content.replace(b"invitada2@", b"INVITADA2@")).get_data(as_text=True)
    # Issue 10 point 9: nothing new to import is said plainly, and there is nothing to confirm.
    assert again.count("Ya registrado: se omite") == 2
    assert "No hay nada nuevo que importar:" in again
    assert "las 2 personas del archivo ya estaban registradas" in again
    assert "Importar 0" not in again and "/importar/confirmar" not in again
    assert count() == 2 and count(OutboxMessage) == messages


def test_xlsx_import_without_ticket_emails(organizer_client):
    first = local_today() + timedelta(days=20)
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=50, capacity_virtual=50,
                       days=[DayInput(first, time(9), time(14)),
                             DayInput(first + timedelta(days=1), time(9), time(14))])
    rows = [guest(1, modalidad="Presencial", dias=first.isoformat(), municipio=15031),
            guest(2, modalidad="virtual", dias=f"{first.isoformat()}; {(first + timedelta(days=1)).isoformat()}")]
    html = upload(organizer_client, event, xlsx_bytes(rows), "invitados.xlsx", send_tickets=False).get_data(
        as_text=True)
    assert "2 personas nuevas" in html, html
    response = confirm(organizer_client, event, html, send_tickets=False)
    assert response.status_code == 302
    regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [(r.modality, len(r.days)) for r in regs] == [("presencial", 1), ("virtual", 2)]
    assert regs[0].municipality_key == "15031"
    assert count(OutboxMessage) == 0


def test_xlsx_with_date_cells_and_formulas(organizer_client):
    event = make_event()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Ana López", "ana@example.org", 5512345678, "academia", "", "", 15031, "", "",
                  datetime.combine(event.days[0].day, time(0)), ""])
    sheet.append(["=CONCATENAR(\"a\";\"b\")", "b@example.org", "", "academia", "", "", "Toluca", "", "", "", ""])
    out = io.BytesIO()
    workbook.save(out)
    html = upload(organizer_client, event, out.getvalue(), "lista.xlsx").get_data(as_text=True)
    assert "1 fila tiene errores" in html and "Nombre: contiene una fórmula" in html
    assert "Nuevo: confirmado" in html and count() == 0


def test_oversized_file_is_refused_in_spanish(organizer_client, app):
    event = make_event()
    big = csv_bytes([guest(1)]) + b"#" * (2 * 1024 * 1024)
    response = upload(organizer_client, event, big)
    assert response.status_code == 413
    assert "El archivo pesa más de 2 MB, el máximo" in response.get_data(as_text=True)
    xlsx = upload(organizer_client, event, b"PK\x03\x04" + b"x" * (5 * 1024 * 1024), "lista.xlsx")
    assert xlsx.status_code == 413 and "pesa más de 2 MB" in xlsx.get_data(as_text=True)
    app.config["IMPORT_MAX_BYTES"] = 512 * 1024  # FOROS_IMPORT_MAX_BYTES
    smaller = upload(organizer_client, event, csv_bytes([guest(1)]) + b"#" * (600 * 1024))
    assert smaller.status_code == 413 and "pesa más de 0.5 MB" in smaller.get_data(as_text=True)
    assert count() == 0 and imports.limits({}) == (2 * 1024 * 1024, 1000)


def test_too_many_rows_and_empty_upload(organizer_client, app):
    event = make_event()
    app.config["IMPORT_MAX_ROWS"] = 3
    response = upload(organizer_client, event, csv_bytes([guest(i) for i in range(4)]))
    assert response.status_code == 422 and "El archivo tiene más de 3 filas" in response.get_data(as_text=True)
    empty = organizer_client.post(url(event), data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Elija el archivo que quiere importar" in empty.get_data(as_text=True)


def test_tampered_or_foreign_payload_imports_nothing(organizer_client):
    event = make_event()
    other = make_event(title="Otro foro")
    html = upload(organizer_client, event, csv_bytes([guest(1)])).get_data(as_text=True)
    token = payload_of(html)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for target, payload in ((event, tampered), (event, ""), (other, token), (event, "x" * 100)):
        response = organizer_client.post(url(target, "/confirmar"), data={"payload": payload},
                                         follow_redirects=True)
        assert "La vista previa caducó o no es válida" in response.get_data(as_text=True)
    assert count() == 0


def test_event_changed_between_preview_and_confirm(organizer_client, organizer):
    event = make_event()
    html = upload(organizer_client, event, csv_bytes([guest(1, sector="medios")])).get_data(as_text=True)
    manage.update_registration_settings(event, [s for s in event.sector_options if s["key"] != "medios"],
                                          event.privacy_notice, organizer)
    db.session.commit()
    response = confirm(organizer_client, event, html)
    assert response.status_code == 422
    assert "El evento cambió desde la vista previa" in response.get_data(as_text=True)
    assert count() == 0 and count(OutboxMessage) == 0


def test_template_download_is_formula_safe_and_round_trips(organizer_client, organizer):
    event = make_event()
    response = organizer_client.get(url(event, "/plantilla.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER and len(rows) == 3
    preview = upload(organizer_client, event, response.data, "plantilla.csv").get_data(as_text=True)
    assert "2 personas nuevas" in preview
    sectors = [{"key": "", "label": "=HYPERLINK(\"http://malo\";\"clic\")"}] + list(event.sector_options)
    manage.update_registration_settings(event, sectors, event.privacy_notice, organizer)
    db.session.commit()
    again = organizer_client.get(url(event, "/plantilla.csv")).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(again)))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://malo\";\"clic\")" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_xlsx_template_is_formula_safe_and_round_trips(organizer_client, organizer):
    event = make_event()
    sectors = [{"key": "", "label": "=HYPERLINK(\"http://malo\";\"clic\")"}] + list(event.sector_options)
    manage.update_registration_settings(event, sectors, event.privacy_notice, organizer)
    db.session.commit()
    response = organizer_client.get(url(event, "/plantilla.xlsx"))
    assert response.status_code == 200 and response.mimetype == export.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="plantilla-registros-{event.slug}.xlsx"')
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    assert [c.value for c in rows[0]] == HEADER and len(rows) == 3
    assert rows[1][3].value == "=HYPERLINK(\"http://malo\";\"clic\")" and rows[1][3].data_type == "s"
    assert rows[2][6].value == "15031" and rows[2][6].data_type == "s"
    manage.update_registration_settings(event, sectors[1:], event.privacy_notice, organizer)
    db.session.commit()
    preview = upload(organizer_client, event, organizer_client.get(url(event, "/plantilla.xlsx")).data,
                     "plantilla.xlsx").get_data(as_text=True)
    assert "2 personas nuevas" in preview


def test_the_largest_allowed_file_fits_the_confirm_form(app):
    event = make_event(capacity_in_person=None)
    table = [HEADER] + [[guest(i)[h] for h in HEADER] for i in range(imports.MAX_ROWS)]
    rows, _ignored = imports.parse_rows(table)
    preview = imports.build_preview(event, rows, registered_emails=set(), seats_left={"presencial": None})
    assert preview.ok and preview.count("new") == imports.MAX_ROWS
    from foros.registration.manage_views import IMPORT_TOKEN_MAX_CHARS, _serializer

    with app.test_request_context():
        token = _serializer().dumps({"event": 1, "user": 1, "file": "x.csv", "rows": imports.rows_payload(rows)})
    assert len(token) < IMPORT_TOKEN_MAX_CHARS


def test_row_numbers_are_those_the_spreadsheet_shows():
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "Nombre", "Correo", "Sector", "Municipio"
    sheet["B5"], sheet["C5"], sheet["D5"], sheet["E5"] = "Ana López", "ana@example.org", "academia", "Toluca"
    out = io.BytesIO()
    workbook.save(out)
    rows, _ignored = imports.parse_rows(imports.read_table("lista.xlsx", out.getvalue()))
    assert [(r.line, r.values["name"]) for r in rows] == [(5, "Ana López")]


def test_modality_column_is_described_as_optional_and_is(organizer_client):
    """Issue 10 point 9: the upload page's help comes from COLUMNS and matches what the import accepts."""
    event = make_event(modality=Modality.HIBRIDA, capacity_in_person=50, capacity_virtual=50)
    page = organizer_client.get(url(event)).get_data(as_text=True)
    row = re.search(r"<tr><td><code>modalidad</code></td><td>(\w+)</td><td>([^<]*)</td></tr>", page)
    assert row and row.group(1) == "No" and "obligatoria" not in row.group(2)
    assert row.group(2) == "presencial o virtual; vacía: presencial."
    help_rows = [(header, required) for header, required, _text in imports.column_help(event)]
    assert help_rows == [(c.header, c.required) for c in imports.COLUMNS]
    preview = upload(organizer_client, event, csv_bytes([guest(1, modalidad="")])).get_data(as_text=True)
    assert "1 persona nueva" in preview and "Con errores" not in preview
    confirm(organizer_client, event, preview)
    assert db.session.scalars(select(Registration)).one().modality == "presencial"
