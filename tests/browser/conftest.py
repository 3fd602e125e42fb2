"""Browser fixtures: one Chromium per session, a live Foros server per test, a page per viewport.

Every test that asks for ``page`` runs twice: on a desktop window and on a 360 px phone.
"""

import os
from dataclasses import dataclass

import pytest
from playwright.sync_api import sync_playwright

from foros import create_app
from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.extensions import db
from tests.browser.live import DESKTOP, PHONE, LiveServer, chromium_path, dispose_engine, launch_chromium
from tests.conftest import PASSWORD, base_config, database_uri, reset_database

ORGANIZER_EMAIL = "org@example.org"
STAFF_EMAIL = "staff@example.org"


def _no_browser(reason: str):
    """Fail loudly in CI (a missing browser must not pass silently), skip on a workstation."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, launched once for the whole session."""
    if chromium_path() is None:
        _no_browser("Chromium not found (install the Debian package `chromium`)")
    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except Exception as exc:  # a broken install is as bad as a missing one
            _no_browser(f"Chromium did not start: {exc}")
        yield chromium
        chromium.close()


@dataclass
class Live:
    """What a browser test needs to know about the running app."""

    url: str
    app: object
    organizer_email: str = ORGANIZER_EMAIL
    staff_email: str = STAFF_EMAIL
    password: str = PASSWORD


@pytest.fixture
def live_server(tmp_path):
    """Foros on a real port with a fresh database, CSRF on, and an organizer and a staff account."""
    # CSRF stays on: a real browser sends the tokens the forms carry. Rate limiting stays off so that
    # many logins in a row do not trip the limiter.
    app = create_app(base_config(database_uri(tmp_path), WTF_CSRF_ENABLED=True))
    try:
        reset_database(app)
        with app.app_context():
            accounts.create_user(email=ORGANIZER_EMAIL, name="Olga Organizadora", role=Role.ORGANIZER,
                                 password=PASSWORD)
            accounts.create_user(email=STAFF_EMAIL, name="Sergio Staff", role=Role.STAFF, password=PASSWORD)
            db.session.commit()
            db.session.remove()
        server = LiveServer(app).start()
    except BaseException:
        dispose_engine(app)
        raise
    try:
        yield Live(url=server.url, app=app)
    finally:
        server.stop()


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request):
    return request.param


@pytest.fixture
def context(browser, live_server, viewport):
    """A fresh browser profile (no cookies) pointed at the live server; Spanish, Mexico City time."""
    phone = viewport["width"] < 600
    ctx = browser.new_context(base_url=live_server.url, viewport=viewport, is_mobile=phone, has_touch=phone,
                              locale="es-MX", timezone_id="America/Mexico_City")
    yield ctx
    ctx.close()  # before the server stops: open keep-alive connections hold its threads


@pytest.fixture
def page(context):
    return context.new_page()

