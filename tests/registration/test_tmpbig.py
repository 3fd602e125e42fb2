import time as _t
from tests.conftest import make_event
from tests.registration.test_import import upload, csv_bytes, guest, confirm, count

def test_big(organizer_client, app):
    event = make_event(capacity_in_person=None)
    content = csv_bytes([guest(i) for i in range(2000)])
    t0 = _t.perf_counter()
    html = upload(organizer_client, event, content).get_data(as_text=True)
    t1 = _t.perf_counter()
    r2 = confirm(organizer_client, event, html)
    print("TIMING preview %.1fs confirm %.1fs" % (t1 - t0, _t.perf_counter() - t1), r2.status_code, count())
