"""Foros: open-government forums and Jornadas, from registration to joint declarations."""

import importlib
import os
from pathlib import Path

from flask import Flask

from foros.config import DEV_SECRET_KEY, DefaultConfig, is_production
from foros.core import transaction

ROOT = Path(__file__).resolve().parent.parent

#: The modules that register routes on their domain's blueprints (declared in each package's __init__.py).
VIEW_MODULES = (
    "foros.accounts.views", "foros.agenda.manage_views", "foros.agenda.participant_views",
    "foros.agenda.public_views", "foros.agenda.release_views", "foros.attendance.views", "foros.audit.views",
    "foros.certificates.views", "foros.checkin.views", "foros.core.health", "foros.events.views",
    "foros.jobs.views", "foros.mail.views", "foros.registration.manage_views", "foros.registration.views",
    "foros.reports.views", "foros.stats.views",
)


class ConfigurationError(RuntimeError):
    """Raised when the app is started with settings that are unsafe or incomplete."""


class Foros(Flask):
    """Flask with the one transaction boundary around every view (``foros.core.transaction``)."""

    def dispatch_request(self):
        return transaction.run_view(super().dispatch_request)


def create_app(test_config=None):
    """Build the Foros application: settings, extensions, blueprints, CLI."""
    app = Foros(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("FOROS")
    if test_config:
        app.config.from_mapping(test_config)
    _check_settings(app)

    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "foros.sqlite3"
        )

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from foros import extensions, models  # noqa: F401  (all models registered on the metadata)
    from foros.core import db as core_db

    core_db.configure_engine_options(app)
    extensions.db.init_app(app)
    core_db.install_connection_pragmas(app)
    transaction.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)

    from foros.accounts import auth

    auth.init_login(app)

    from foros.core import api as core_api
    from foros.core import errors, formatting, identity, routing, security

    identity.init_app(app, str(ROOT))
    routing.init_app(app)
    formatting.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    api = core_api.init_app(app)

    # Each domain's blueprints are declared in its package's __init__.py; its views modules register their
    # routes on them when imported here (so views modules of one domain never import each other).
    for module in VIEW_MODULES:
        importlib.import_module(module)
    from foros import (
        accounts,
        agenda,
        attendance,
        audit,
        certificates,
        checkin,
        core,
        events,
        jobs,
        mail,
        registration,
        reports,
        stats,
    )
    from foros.networking.tables_views import bp as networking_tables_bp

    for blueprint in (events.bp, registration.bp, accounts.bp, audit.bp, mail.bp, core.bp, checkin.bp,
                      jobs.bp, attendance.bp, reports.bp, certificates.bp, stats.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(agenda.bp)
    app.register_blueprint(agenda.people_bp)
    app.register_blueprint(agenda.public_bp)  # the released programme, feeds, PDF; the personal feed
    app.register_blueprint(agenda.releases_bp)  # "Publicar programa"
    app.register_blueprint(networking_tables_bp)  # tables of networking sessions and who sits at them
    from foros.networking.consolidation_views import bp as networking_consolidation_bp
    from foros.networking.public_views import bp as networking_public_bp
    from foros.networking.state_agenda_views import bp as networking_agenda_bp

    app.register_blueprint(networking_consolidation_bp)  # consolidation, publication, relatoría (organizers)
    app.register_blueprint(networking_public_bp)  # published conclusions, support marks, the state agenda
    app.register_blueprint(networking_agenda_bp)  # the state agenda (organizers)
    from foros.networking.capture_views import bp as networking_capture_bp

    app.register_blueprint(networking_capture_bp)  # a table's capture link /mesa/<token>, its table cards
    from foros.declarations.manage_views import bp as declarations_manage_bp

    app.register_blueprint(declarations_manage_bp)  # declarations' organizer pages, board, municipal process
    import foros.declarations.signing_manage_views  # noqa: F401 (registers the organizer's signing routes)
    import foros.declarations.signing_views  # noqa: F401 (registers the signatory's link routes)
    from foros.declarations import signing_bp as declarations_signing_bp
    from foros.declarations import signing_manage_bp as declarations_signing_manage_bp

    app.register_blueprint(declarations_signing_bp)  # a signatory's personal link /firmar/<token>
    app.register_blueprint(declarations_signing_manage_bp)  # invite again, autograph signatures, the scan
    import foros.declarations.verify_views  # noqa: F401 (registers the public verification routes)
    from foros.declarations import verify_bp as declarations_verify_bp

    app.register_blueprint(declarations_verify_bp)  # public verification: code, QR, PDF upload check

    from foros.accounts.api import blp as accounts_api
    from foros.agenda.api import blp as agenda_api
    from foros.attendance.api import blp as attendance_api
    from foros.checkin.api import blp as checkin_api
    from foros.declarations.manage_api import blp as declarations_manage_api
    from foros.declarations.verify_api import blp as declarations_verify_api
    from foros.events.api import blp as events_api
    from foros.networking.api import blp as networking_api
    from foros.registration.api import blp as registration_api

    for blueprint in (events_api, registration_api, checkin_api, accounts_api, attendance_api, agenda_api,
                      networking_api, declarations_manage_api, declarations_verify_api):
        api.register_blueprint(blueprint)
    core_api.register_docs(app)

    _connect_domains()

    from foros import cli
    from foros.checkin.services import create_default_lists
    from foros.events.services import days_saved
    from foros.jobs.services import JOBS_QUEUED
    from foros.mail.services import OUTBOX_QUEUED
    from foros.worker import notify_jobs, notify_outbox

    transaction.on_commit(app, OUTBOX_QUEUED, notify_outbox)  # queued mail wakes the worker once committed
    transaction.on_commit(app, JOBS_QUEUED, notify_jobs)  # so does a queued background job
    days_saved.connect(create_default_lists)  # an event's days get their check-in lists as they are saved
    cli.init_app(app)
    return app


def _connect_domains():
    """Give lower layers the behaviour of higher ones, which the import direction forbids them to import."""
    from foros.agenda import public as agenda_public
    from foros.agenda import report as agenda_report
    from foros.attendance import exports as attendance_exports
    from foros.certificates import jobs as certificate_jobs
    from foros.certificates import views as certificate_views
    from foros.declarations import signing as declaration_signing
    from foros.declarations import versions as declaration_versions
    from foros.events import report as event_report
    from foros.events.services import capacity_changed
    from foros.jobs.registry import register_job_kind
    from foros.mail.attachments import register_attachments
    from foros.networking import public_views as networking_public
    from foros.networking import report as networking_report
    from foros.registration import attachments as registration_attachments
    from foros.registration.lifecycle import promote_waitlist
    from foros.registration.ticket_links import register_ticket_links
    from foros.reports import figures as report_figures
    from foros.reports.sections import register_section

    capacity_changed.connect(promote_waitlist)  # seats freed by a capacity change go to the waiting list
    register_attachments(registration_attachments.KIND_PREFIX, registration_attachments.TICKET_FILES)
    register_job_kind(attendance_exports.JOB_KIND, attendance_exports.run_export_job)  # big attendance lists
    register_job_kind(certificate_jobs.ZIP_JOB, certificate_jobs.build_zip)  # "Descargar todas (ZIP)"
    register_ticket_links(certificate_views.ticket_links)  # "Descargar constancia" on the ticket page
    register_ticket_links(agenda_public.ticket_links)  # the programme, the personal feed, virtual links
    # The event report's sections of the domains below it (later domains register their own).
    register_section("event", event_report.TITLE, 10, event_report.event_section)
    register_section("figures", report_figures.TITLE, 20, report_figures.figures_section)
    register_section("agenda", agenda_report.TITLE, 30, agenda_report.agenda_section)  # the released programme
    register_section("networking", networking_report.TITLE, 40, networking_report.conclusions_section)
    register_ticket_links(networking_public.ticket_links)  # "Apoyar conclusiones" while a session runs
    from foros.declarations import report as declarations_report

    register_section("declarations", declarations_report.TITLE, 50, declarations_report.declarations_section)
    declaration_signing.on_completed(declaration_versions.finalize_when_complete)  # the last signature seals


def _check_settings(app):
    """Refuse to start in production with a placeholder secret key, or anywhere with an interval of reminders
    that is not a whole number of days."""
    days = app.config.get("DECLARATIONS_REMINDER_DAYS")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ConfigurationError(
            f"FOROS_DECLARATIONS_REMINDER_DAYS debe ser un número entero de días, 0 o más (se recibió {days!r}); "
            "0 apaga los recordatorios automáticos."
        )
    if is_production(app.config):
        key = app.config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < 32:
            raise ConfigurationError(
                "FOROS_SECRET_KEY no está definida o es demasiado corta (mínimo 32 caracteres). "
                "Genere una con:  python -c 'import secrets; print(secrets.token_urlsafe(48))'  "
                "y expórtela como FOROS_SECRET_KEY antes de iniciar Foros en producción."
            )
        if str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
            # Each process then counts on its own: with N workers, N times the per-address limits.
            app.logger.warning(
                "FOROS_RATELIMIT_STORAGE_URI es memory://: con varios procesos (gunicorn --workers N) cada "
                "uno cuenta sus propios límites por dirección (inicio de sesión, registro, búsquedas en la "
                "puerta), que así se multiplican por N. Use un almacén compartido, p. ej. "
                "FOROS_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379. (El límite de intentos por cuenta se "
                "guarda en la base de datos y no depende de esto.)"
            )
