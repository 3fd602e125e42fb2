"""Statistics pages for organizers, and the public open-data pages and files."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from foros.accounts.auth import organizer_required, public
from foros.core import transaction
from foros.core.errors import DomainError
from foros.core.export import Column, send_csv
from foros.events.services import get_event
from foros.stats import bp, opendata
from foros.stats.forms import StatsFilterForm
from foros.stats.maps import map_figure
from foros.stats.services import (
    DIMENSIONS,
    cross_event_statistics,
    event_statistics,
    events_between,
    municipality_counts,
)

MAP_TITLE = "Mapa del Estado de México: personas registradas por municipio de residencia"


@bp.get("/gestion/eventos/<slug>/estadisticas")
@organizer_required
def manage_event(slug):
    """One event's statistics: totals, breakdowns, days, lists, arrivals and the map."""
    event = get_event(slug)
    stats = event_statistics(event)
    counts = municipality_counts(stats["breakdowns"]["municipality"])
    return render_template("stats/manage/event.html", event=event, stats=stats, dimensions=DIMENSIONS,
                           map=map_figure(counts, title=MAP_TITLE, id_prefix="mapa-evento"))


@bp.get("/gestion/estadisticas")
@organizer_required
def manage_overview():
    """Statistics across events, filtered by a date range and a kind of event."""
    form = StatsFilterForm(request.args)
    valid = form.validate()
    events = events_between(form.desde.data, form.hasta.data, form.tipo.data or "") if valid else []
    stats = cross_event_statistics(events)
    counts = municipality_counts(stats["breakdowns"]["municipality"])
    page = render_template("stats/manage/overview.html", form=form, stats=stats, dimensions=DIMENSIONS,
                           map=map_figure(counts, title=MAP_TITLE, id_prefix="mapa-eventos"))
    return page, 200 if valid else 422


@bp.post("/gestion/eventos/<slug>/datos-abiertos")
@organizer_required
def manage_open_data(slug):
    """Publish or withdraw the event's open data."""
    event = get_event(slug)
    action = request.form.get("accion", "")
    try:
        if action == "publicar":
            opendata.publish_open_data(event, actor=current_user)
            flash("Datos abiertos publicados.", "success")
        elif action == "retirar":
            opendata.withdraw_open_data(event, actor=current_user)
            flash("Datos abiertos retirados de la página pública.", "success")
        else:
            flash("Acción desconocida.", "error")
    except DomainError as exc:
        transaction.discard()
        flash(exc.message, "error")
    return redirect(url_for("stats.manage_event", slug=event.slug))


# --- public ---------------------------------------------------------------------------------------------

def _cross_dataset():
    events = opendata.published_events()
    return events, opendata.cross_dataset([opendata.event_dataset(e) for e in events])


@bp.get("/datos-abiertos")
@public
def open_data_index():
    """Published events and their figures together."""
    events, dataset = _cross_dataset()
    counts, reserved = opendata.map_figures(dataset)
    return render_template("stats/open_data/index.html", events=events, dataset=dataset,
                           threshold=opendata.THRESHOLD,
                           map=map_figure(counts, reserved=reserved, title=MAP_TITLE, id_prefix="mapa-abierto"))


@bp.get("/datos-abiertos.csv")
@public
def open_data_index_csv():
    """All published events' figures as one CSV (long format)."""
    _events, dataset = _cross_dataset()
    rows = opendata.csv_rows(dataset, event_key="todos", event_title="Todos los eventos")
    return send_csv(opendata.CSV_COLUMNS, rows,
                    "datos-abiertos-foros.csv")


@bp.get("/datos-abiertos.json")
@public
def open_data_index_json():
    """All published events' figures as JSON."""
    _events, dataset = _cross_dataset()
    return jsonify(opendata.as_json(dataset))


@bp.get("/datos-abiertos/diccionario")
@public
def open_data_dictionary():
    """What each field of the files means, and the suppression rule."""
    return render_template("stats/open_data/dictionary.html", fields=opendata.DICTIONARY,
                           threshold=opendata.THRESHOLD)


@bp.get("/datos-abiertos/diccionario.csv")
@public
def open_data_dictionary_csv():
    """The data dictionary as CSV."""
    columns = [Column("campo", "campo"), Column("tipo", "tipo"), Column("descripcion", "descripcion")]
    return send_csv(columns, opendata.DICTIONARY, "diccionario.csv")


@bp.get("/datos-abiertos/diccionario.json")
@public
def open_data_dictionary_json():
    """The data dictionary as JSON."""
    return jsonify({"umbral_supresion": opendata.THRESHOLD, "campos": opendata.DICTIONARY})


@bp.get("/datos-abiertos/<slug>")
@public
def open_data_event(slug):
    """One event's published figures, with the map."""
    event = opendata.get_published_event(slug)
    dataset = opendata.event_dataset(event)
    counts, reserved = opendata.map_figures(dataset)
    return render_template("stats/open_data/event.html", event=event, dataset=dataset,
                           threshold=opendata.THRESHOLD,
                           map=map_figure(counts, reserved=reserved, title=MAP_TITLE, id_prefix="mapa-abierto"))


@bp.get("/datos-abiertos/<slug>.csv")
@public
def open_data_event_csv(slug):
    """One event's published figures as CSV (long format)."""
    event = opendata.get_published_event(slug)
    rows = opendata.csv_rows(opendata.event_dataset(event), event_key=event.slug, event_title=event.title)
    return send_csv(opendata.CSV_COLUMNS, rows, f"datos-abiertos-{event.slug}.csv")


@bp.get("/datos-abiertos/<slug>.json")
@public
def open_data_event_json(slug):
    """One event's published figures as JSON."""
    event = opendata.get_published_event(slug)
    return jsonify(opendata.as_json(opendata.event_dataset(event)))
