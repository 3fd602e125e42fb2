"""The door's script in parts: door.js is an ES module that imports its parts (decoder, feedback, preferences,
scan queue) as files from static/js/checkin/door/, which the CSP allows (script-src 'self'); no inline
script, no error while the page starts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.live import log_in
from tests.browser.test_checkin import seed

pytestmark = pytest.mark.browser

PARTS = ("decoder", "feedback", "prefs", "scan-queue")


def test_door_script_loads_its_parts_as_module_files(page, live_server):
    data = seed(live_server)
    log_in(page, live_server.staff_email)
    errors, scripts = [], {}
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: scripts.setdefault(response.url.split("?")[0], response)
            if response.url.split("?")[0].endswith(".js") else None)

    page.goto(data["door"])
    # door.js ran (it shows the camera button and publishes its measurements), so every import resolved.
    expect(page.locator("#camara-boton")).to_be_visible()
    assert page.evaluate("() => typeof window.__forosTiming") == "object"

    for part in PARTS:
        url = f"{live_server.url}/static/js/checkin/door/{part}.js"
        assert url in scripts, (part, sorted(scripts))
        assert scripts[url].status == 200
        assert "javascript" in scripts[url].headers["content-type"]
    html = page.content()
    assert re.search(r'<script type="module" src="[^"]*/static/js/checkin/door\.js"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script anywhere
    page.keyboard.type(data["code"])
    page.keyboard.press("Enter")
    expect(page.locator("#resultado")).to_contain_text("Acceso registrado")  # the scan queue sent it
    assert errors == []
