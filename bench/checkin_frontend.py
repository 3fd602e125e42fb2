"""Door page weights and camera timing, measured in Chromium with a fake camera showing a real ticket.

    .venv/bin/python -m bench.checkin_frontend [--runs 10] [--throttle]

Prints every resource the door page loads (raw and gzip -6 bytes: what a gzip-ing proxy sends; Flask alone
sends them uncompressed), split into "page" (usable: wedge field and search) and "decoder" (loaded after),
then, over ``--runs`` page loads, the time from the first decode attempt on a camera frame holding the code
to the answer on screen. ``--throttle`` also loads the page on an emulated weak Wi-Fi link (1.5 Mbit/s down,
150 ms latency) and reports when the page was usable and when the decoder was ready. Results: see
bench/checkin-frontend.md.
"""

import argparse
import gzip
import statistics
import tempfile
from datetime import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from foros import create_app
from foros.accounts import services as accounts
from foros.accounts.models import Role
from foros.core.time import local_today
from foros.events.services import DayInput
from foros.extensions import db
from foros.registration.codes import ticket_code
from foros.registration.inputs import RegistrationInput
from foros.registration.signup import register_attendee
from tests.browser.live import CHROMIUM_ARGS, PHONE, LiveServer, chromium_path, dispose_engine, log_in
from tests.browser.test_checkin import FAKE_CAMERA, write_y4m
from tests.conftest import PASSWORD, base_config, make_event, reset_database

STAFF = "staff@example.org"


def _seed(app) -> tuple[str, str]:
    with app.app_context():
        staff = accounts.create_user(email=STAFF, name="Sergio Staff", role=Role.STAFF, password=PASSWORD)
        event = make_event(days=[DayInput(local_today(), time(0, 0), time(23, 59))])
        staff.events.append(event)
        person = register_attendee(event, RegistrationInput(
            name="Lucía Hernández", email="lucia@example.org", sector="academia", municipality_key="15031",
            privacy_consent=True)).registration
        db.session.commit()
        door, code = f"/puerta/{event.slug}/{local_today().isoformat()}", ticket_code(person)
        db.session.remove()
    return door, code


def _weights(page, urls) -> list[tuple[str, str, int, int]]:
    rows = []
    for url in dict.fromkeys(urls):
        body = page.request.get(url).body()
        part = "decoder" if "/static/vendor/" in url or "decoder-worker" in url else "page"
        rows.append((part, url.split("/", 3)[-1], len(body), len(gzip.compress(body, compresslevel=6))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--throttle", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="foros-bench-"))
    app = create_app(base_config(f"sqlite:///{tmp / 'bench.sqlite3'}", WTF_CSRF_ENABLED=True))
    reset_database(app)
    door, code = _seed(app)
    write_y4m(tmp / "ticket.y4m", code)
    server = LiveServer(app).start()
    try:
        with sync_playwright() as playwright:
            camera = [f"--use-file-for-fake-video-capture={tmp / 'ticket.y4m'}"]
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS + FAKE_CAMERA + camera)
            context = browser.new_context(base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True)
            page = context.new_page()
            log_in(page, STAFF)

            urls = []
            page.on("response", lambda r: urls.append(r.url)
                    if r.status in (200, 304) and r.request.method == "GET" else None)
            page.goto(door)
            expect(page.locator("#resultado")).to_contain_text("Lucía Hernández", timeout=20_000)
            rows = _weights(page, urls)
            print(f"{'part':8} {'resource':70} {'bytes':>9} {'gzip':>8}")
            for part, name, raw, packed in rows:
                print(f"{part:8} {name[:70]:70} {raw:9,} {packed:8,}")
            for part in ("page", "decoder"):
                raw = sum(r[2] for r in rows if r[0] == part)
                packed = sum(r[3] for r in rows if r[0] == part)
                print(f"{part:8} {'TOTAL':70} {raw:9,} {packed:8,}")

            totals, decodes, servers, ready = [], [], [], []
            for _ in range(args.runs):
                page.goto(door)
                expect(page.locator("#resultado")).to_contain_text("Lucía Hernández", timeout=20_000)
                timing = page.evaluate("() => window.__forosTiming")
                scan = timing["scans"][0]
                totals.append(scan["total"])
                decodes.append(scan["decode"])
                servers.append(scan["server"])
                ready.append(round(timing["decoderReadyAt"]))
            print(f"\ndecoder: {timing['decoder']}; {args.runs} page loads (decoder cached)")
            for label, values in (("frame → answer on screen", totals), ("decode of the frame", decodes),
                                  ("server round trip", servers), ("decoder ready after page start", ready)):
                print(f"{label:32} median {statistics.median(values):6.0f} ms   min {min(values):5.0f}   "
                      f"max {max(values):5.0f}")

            if args.throttle:
                slow = browser.new_context(base_url=server.url, viewport=PHONE, is_mobile=True, has_touch=True)
                slow_page = slow.new_page()
                log_in(slow_page, STAFF)
                cdp = slow.new_cdp_session(slow_page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 150,
                                                               "downloadThroughput": 1.5e6 / 8,
                                                               "uploadThroughput": 750e3 / 8})
                slow_page.goto(door, wait_until="domcontentloaded")
                expect(slow_page.get_by_label("Código del boleto")).to_be_focused(timeout=60_000)
                usable = slow_page.evaluate("() => performance.now()")
                expect(slow_page.locator("#resultado")).to_contain_text("Lucía Hernández", timeout=120_000)
                timing = slow_page.evaluate("() => window.__forosTiming")
                print(f"\nweak Wi-Fi (1.5 Mbit/s, 150 ms; uncompressed as Flask serves it, cold cache): "
                      f"wedge field ready after {usable:.0f} ms, "
                      f"decoder ready after {timing['decoderReadyAt']:.0f} ms")
                slow.close()
            context.close()
            browser.close()
    finally:
        server.stop()
        dispose_engine(app)


if __name__ == "__main__":
    main()
