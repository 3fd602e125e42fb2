"""The one exporter: CSV and XLSX parse back as written, accents survive, no cell ever becomes a formula,
long cells fit, and a CSV streams (the first chunk leaves before the rows are all read)."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from flask import Flask
from openpyxl import load_workbook

from foros.core import export
from foros.core.export import Column

COLUMNS = [Column("name", "Nombre"), Column("town", "Municipio de residencia"), Column("seats", "Lugares"),
           Column("when", "Registro"), Column("day", "Día")]
#: Every start that OWASP lists (plus DDE's | and %), each as a text cell.
DANGEROUS = ["=1+1", "+52 55", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "|calc", "%0A=1",
             '=HYPERLINK("http://malo";"clic")', "=cmd|' /C calc'!A0"]


def parse_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def load_rows(data: bytes):
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+52 55", "'+52 55"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("|x", "'|x"), ("%x", "'%x"),
    ("Ana", "Ana"), ("", ""), ("María = 1", "María = 1"),
])
def test_neutralise(value, expected):
    assert export.neutralise(value) == expected


def test_csv_round_trip_with_accents_dates_and_numbers():
    rows = [
        {"name": "Ñuñoa Peña Íñiguez", "town": "Cuautitlán Izcalli", "seats": 3,
         "when": datetime(2023, 6, 6, 15, 30, tzinfo=UTC), "day": date(2023, 6, 8)},
        ("José Ángel", None, Decimal("-2.5"), None, None),
        {"name": "Sin datos"},
    ]
    parsed = parse_csv(export.csv_bytes(COLUMNS, rows))
    assert parsed == [
        ["Nombre", "Municipio de residencia", "Lugares", "Registro", "Día"],
        ["Ñuñoa Peña Íñiguez", "Cuautitlán Izcalli", "3", "2023-06-06 09:30:00", "2023-06-08"],  # Mexico City
        ["José Ángel", "", "-2.5", "", ""],  # a number is a number, never neutralised
        ["Sin datos", "", "", "", ""],
    ]


def test_csv_never_starts_a_cell_with_a_formula():
    rows = [{"name": value, "town": value} for value in DANGEROUS]
    parsed = parse_csv(export.csv_bytes(COLUMNS, rows))
    for value, row in zip(DANGEROUS, parsed[1:], strict=True):
        assert row[0] == row[1] == "'" + value
    assert not any(cell.startswith(export.FORMULA_START) for row in parsed for cell in row)


def test_none_is_an_empty_cell_and_booleans_read_in_spanish():
    parsed = parse_csv(export.csv_bytes([Column("a", "A"), Column("b", "B"), Column("c", "C")],
                                        [(None, True, False)]))
    assert parsed[1] == ["", "Sí", "No"]


def test_a_tuple_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 5 columns"):
        export.csv_bytes(COLUMNS, [("a", "b")])


def test_xlsx_round_trip_with_accents_dates_and_layout():
    rows = [
        {"name": "Ñuñoa Peña Íñiguez", "town": "Cuautitlán Izcalli", "seats": 3,
         "when": datetime(2023, 6, 6, 15, 30, tzinfo=UTC), "day": date(2023, 6, 8)},
        ("José Ángel", None, -2.5, datetime(2023, 12, 31, 23, 0, tzinfo=UTC), time(9, 30)),
    ]
    data = export.xlsx_bytes(COLUMNS, rows, sheet_title="Registros: junio/2023")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Registros  junio 2023"  # characters Excel forbids in a sheet name are dropped
    header, first, second = [list(row) for row in sheet.iter_rows()]
    assert [c.value for c in header] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"
    assert sheet.column_dimensions["B"].width == len("Municipio de residencia") + 4
    assert [c.value for c in first] == ["Ñuñoa Peña Íñiguez", "Cuautitlán Izcalli", 3,
                                        datetime(2023, 6, 6, 9, 30), datetime(2023, 6, 8)]
    assert first[3].is_date and first[3].number_format == export.DATETIME_FORMAT
    assert first[4].is_date and first[4].number_format == export.DATE_FORMAT
    # 23:00 UTC on 31 December is 17:00 the same day in Mexico City; no tzinfo (Excel has none).
    assert second[3].value == datetime(2023, 12, 31, 17, 0) and second[3].value.tzinfo is None
    assert second[2].value == -2.5 and second[2].data_type == "n"
    assert second[1].value is None


def test_xlsx_never_stores_a_formula():
    rows = [{"name": value, "town": value} for value in DANGEROUS]
    data = export.xlsx_bytes([Column("name", "=Nombre"), Column("town", "Municipio")], rows)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    rows_back = load_rows(data)
    assert rows_back[0][0].value == "=Nombre" and rows_back[0][0].data_type == "s"
    for value, row in zip(DANGEROUS, rows_back[1:], strict=True):
        for cell in row:
            assert cell.value == value  # kept as text, exactly (lxml writes a bare CR as &#13;)
            assert cell.data_type == "s"
            assert cell.quotePrefix  # Excel keeps it text even when someone edits the cell
    # The same workbook read for its computed values gives the text too (a formula would have none).
    values = load_workbook(io.BytesIO(data), data_only=True).active
    assert [c.value for c in next(values.iter_rows(min_row=2, max_row=2))] == [DANGEROUS[0]] * 2


def test_plain_text_gets_no_quote_prefix():
    rows_back = load_rows(export.xlsx_bytes([Column("a", "A")], [("María = 1",)]))
    assert rows_back[1][0].value == "María = 1" and not rows_back[1][0].quotePrefix


def test_ten_thousand_character_cells_survive_both_formats():
    long_text = ("Ñandú, acción y participación ciudadana. " * 300)[:10_000]
    assert len(long_text) == 10_000
    rows = [{"name": long_text, "town": "=" + long_text[:9_999]}]
    parsed = parse_csv(export.csv_bytes(COLUMNS, rows))
    assert parsed[1][0] == long_text and parsed[1][1] == "'=" + long_text[:9_999]
    back = load_rows(export.xlsx_bytes(COLUMNS, rows))
    assert back[1][0].value == long_text and back[1][1].value == "=" + long_text[:9_999]
    assert back[1][1].data_type == "s"


def test_xlsx_drops_characters_xml_cannot_hold_and_cuts_at_excels_limit():
    rows = [("a\x00b\x07c", "x" * 40_000)]
    back = load_rows(export.xlsx_bytes([Column("a", "A"), Column("b", "B")], rows))
    assert back[1][0].value == "abc"
    assert len(back[1][1].value) == export.XLSX_MAX_CELL and back[1][1].value.endswith("…")


def test_csv_streams_fifty_thousand_rows():
    consumed = 0

    def rows():
        nonlocal consumed
        for n in range(50_000):
            consumed += 1
            yield (f"Persona {n}", "Toluca", n, None, None)

    chunks = export.csv_chunks(COLUMNS, rows())
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfNombre,") and consumed == 0
    second = next(chunks)
    assert 0 < consumed < 50_000  # a chunk left long before the last row was read
    assert len(second) < 2 * export.CSV_CHUNK
    rest = b"".join(chunks)
    assert consumed == 50_000
    parsed = parse_csv(first + second + rest)
    assert len(parsed) == 50_001 and parsed[-1] == ["Persona 49999", "Toluca", "49999", "", ""]


@pytest.fixture
def download_app():
    """A bare Flask app with the two download helpers behind routes (the helpers need a request)."""
    app = Flask(__name__)
    state = {"consumed": 0}

    def rows(count):
        for n in range(count):
            state["consumed"] += 1
            yield {"name": f"Persona {n}", "town": "Ecatepec de Morelos"}

    @app.get("/csv")
    def csv_download():
        return export.send_csv(COLUMNS, rows(50_000), "asistencia-día-1")

    @app.get("/xlsx")
    def xlsx_download():
        return export.send_xlsx(COLUMNS, rows(3), "asistencia.xlsx", sheet_title="Asistencia")

    app.state = state
    return app


def test_send_csv_streams_a_download(download_app):
    client = download_app.test_client()
    response = client.get("/csv", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"asistencia-dia-1.csv\"; filename*=UTF-8''asistencia-d%C3%ADa-1.csv")
    assert response.is_streamed
    body = iter(response.response)
    assert next(body).startswith(b"\xef\xbb\xbf") and download_app.state["consumed"] == 0
    next(body)
    assert 0 < download_app.state["consumed"] < 50_000
    rest = b"".join(body)
    response.close()
    assert download_app.state["consumed"] == 50_000 and rest.endswith(b"Persona 49999,Ecatepec de Morelos,,,\r\n")


def test_send_xlsx_sends_a_workbook(download_app):
    response = download_app.test_client().get("/xlsx")
    assert response.status_code == 200 and response.mimetype == export.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="asistencia.xlsx"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.content_length == len(response.data)
    rows = load_rows(response.data)
    assert len(rows) == 4 and rows[3][0].value == "Persona 2"


def test_send_xlsx_streams_a_big_workbook_from_disk(download_app, monkeypatch):
    monkeypatch.setattr(export, "XLSX_SPOOL_BYTES", 1024)
    with download_app.test_client().get("/xlsx") as response:
        assert response.is_streamed and response.status_code == 200
        assert response.content_length == len(response.data) > 1024
        assert load_rows(response.data)[3][0].value == "Persona 2"


@pytest.mark.parametrize(("name", "expected"), [
    ("plantilla.csv", 'attachment; filename="plantilla.csv"'),
    ("../../etc/passwd", "attachment; filename=\"etc_passwd\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"),
    ('a"b\r\nc.csv', "attachment; filename=\"ab_c.csv\"; filename*=UTF-8''a%22b%0D%0Ac.csv"),
    ("Ñ", "attachment; filename=\"N\"; filename*=UTF-8''%C3%91"),
])
def test_content_disposition_is_safe(name, expected):
    assert export.content_disposition(name) == expected
