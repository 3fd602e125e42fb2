"""Take docs/screenshot.png for the README: the home page with the demo programme, 1280×900.

Run from the project root:  .venv/bin/python -m tests.browser.make_screenshot  [output.png]
"""

import secrets
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from foros import create_app
from foros.demo.data import load_demo_data
from foros.extensions import db
from tests.browser.live import LiveServer, chromium_path, launch_chromium

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "docs" / "screenshot.png"


def make_screenshot(output: Path = DEFAULT_OUTPUT) -> Path:
    """Serve the demo from a throw-away SQLite database and save a picture of its home page."""
    if chromium_path() is None:
        raise SystemExit("Chromium not found: install the Debian package `chromium`.")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'demo.sqlite3'}",
            "RATELIMIT_ENABLED": False,
        })
        with app.app_context():
            db.create_all()
            print(load_demo_data())
            db.session.commit()
            db.session.remove()
        server = LiveServer(app).start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX",
                                              timezone_id="America/Mexico_City")
                page = context.new_page()
                page.goto(server.url + "/")
                expect(page.get_by_role("heading", name="Próximos eventos")).to_be_visible()
                output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(output))
                context.close()
                browser.close()
        finally:
            server.stop()
    return output


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    print(f"Captura guardada en {make_screenshot(target)}")
