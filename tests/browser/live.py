"""Run the Foros app on a real socket for a browser, find the Chromium the tests drive, log in.

Shared by the browser fixtures (``conftest.py``), the tests and ``make_screenshot.py``.
"""

import os
import shutil
import threading
import time
from dataclasses import dataclass, field

from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

from foros.extensions import db
from tests.conftest import PASSWORD

#: Debian's Chromium; Playwright's own browser download is never used (it fails offline).
CHROMIUM = os.environ.get("FOROS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
#: The page does not scroll sideways.
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
#: Tables wider than their box, unless the box is a scrollable wrapper (allowed on a phone only).
TABLES_OVERFLOWING = """(allowScroll) => [...document.querySelectorAll('table')].filter(t => {
    const box = t.parentElement;
    if (allowScroll && box.classList.contains('table-scroll')) return false;
    return t.getBoundingClientRect().width > box.clientWidth + 1;
}).map(t => (t.querySelector('caption') || t).textContent.trim())"""


def chromium_path() -> str | None:
    """Return the Chromium executable, or None when it is not installed."""
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    return path if path and os.access(path, os.X_OK) else None


def launch_chromium(playwright):
    """Start headless Chromium with the flags measured to work on our machines."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def dispose_engine(app) -> None:
    """Close the app's database connections (else: ResourceWarning, and PostgreSQL sessions left open)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class _QuietHandler(WSGIRequestHandler):
    """Keep the test output readable: no line per request (errors are still logged)."""

    def log_request(self, *args, **kwargs):
        pass


def _closed_before_sending(app):
    """Read each response whole and close it before Werkzeug's server sends it.

    When a browser drops a connection (a cancelled module preload, a page left mid-load), Werkzeug's development
    server can fail while draining the socket before it closes the response, leaving a static file open
    (a ResourceWarning, an error under ``filterwarnings = error``). Responses here are small; buffering them
    changes nothing the browser tests look at.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@dataclass
class LiveServer:
    """The app served by Werkzeug in a background thread on a free port of 127.0.0.1."""

    app: object
    _server: object = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _threads_before: set = field(default_factory=set, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> "LiveServer":
        self._threads_before = set(threading.enumerate())
        self._server = make_server("127.0.0.1", 0, _closed_before_sending(self.app), threaded=True,
                                   request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="foros-live-server",
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, wait for every thread the server started, release the database engine.

        Close the browser contexts first: their keep-alive connections hold request threads open.
        """
        self._server.shutdown()
        self._thread.join(timeout)
        self._server.server_close()
        deadline = time.monotonic() + timeout
        leftovers = [t for t in threading.enumerate() if t not in self._threads_before]
        for thread in leftovers:
            thread.join(max(0.0, deadline - time.monotonic()))
        dispose_engine(self.app)
        alive = [t.name for t in leftovers if t.is_alive()]
        assert not alive, f"threads still running after the live server stopped: {alive}"


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the form at /entrar, as a person would."""
    page.goto("/entrar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()
