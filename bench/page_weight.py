"""Weight of the public registration page: compressed HTML plus every same-origin asset it loads.

    .venv/bin/python bench/page_weight.py        # exits 1 when a page reaches the budget

Loads the demo programme into a temporary SQLite database, renders /eventos/<slug>/registro of every demo
event open for registration with the test client, and follows what a browser would fetch: stylesheets,
scripts, images, icons, and the url()/@import references inside the CSS, recursively. Text is counted
gzip-compressed (level 6, zlib's and Apache's default); images already compressed (PNG, JPEG, WebP,
WOFF2…) are counted as served. Budget (issue 4): under 60 KB = 60,000 bytes, everything included.
A reference to another origin fails the check: it cannot be weighed, and the CSP would block it anyway.
"""

import gzip
import re
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BUDGET_BYTES = 60_000
GZIP_LEVEL = 6
#: <link rel=…> values a browser downloads while loading the page.
_FETCHED_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/manifest+json",
               "image/svg+xml", "application/xml")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.IGNORECASE)


class _References(HTMLParser):
    """Collect the URLs of everything an HTML page makes the browser fetch."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "link" and _FETCHED_RELS & set(a.get("rel", "").lower().split()):
            self.urls.append(a.get("href", ""))
        if tag in ("script", "img", "source", "audio", "video", "iframe", "embed", "track") or (
                tag == "input" and a.get("type") == "image"):
            self.urls.append(a.get("src", ""))
        if tag in ("img", "source") and a.get("srcset"):
            self.urls += [part.split()[0] for part in a["srcset"].split(",") if part.strip()]
        if tag == "video":
            self.urls.append(a.get("poster", ""))
        if tag == "object":
            self.urls.append(a.get("data", ""))
        if a.get("style"):
            self.urls += [m.group(2) or m.group(4) for m in _CSS_URL.finditer(a["style"])]

    def handle_data(self, data):
        # <style> blocks (the CSP forbids them, but count their references if one ever appears).
        if self.lasttag == "style":
            self.urls += [m.group(2) or m.group(4) for m in _CSS_URL.finditer(data)]


@dataclass
class Resource:
    url: str
    content_type: str
    raw: int
    counted: int  # gzip size for text, size as served for already-compressed binaries


@dataclass
class PageWeight:
    path: str
    resources: list[Resource] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.counted for r in self.resources)

    def render(self) -> str:
        lines = [f"{self.path}"]
        lines += [f"  {r.counted:>7,} B  (raw {r.raw:>7,} B)  {r.content_type:<24} {r.url}"
                  for r in self.resources]
        lines.append(f"  {self.total:>7,} B  total, budget < {BUDGET_BYTES:,} B: "
                     f"{'ok' if self.ok else 'OVER BUDGET'}")
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)

    @property
    def ok(self) -> bool:
        return self.total < BUDGET_BYTES and not self.problems


def _counted_size(body: bytes, content_type: str) -> int:
    if content_type.startswith(_TEXT_TYPES):
        return len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
    return len(body)


def measure_page(client, path: str, origin: str = "http://localhost") -> PageWeight:
    """Fetch ``path`` and, recursively, every same-origin resource it loads; sum their counted sizes."""
    weight = PageWeight(path)
    queue, seen = [urljoin(origin, path)], set()
    while queue:
        url = queue.pop(0).split("#", 1)[0]
        if not url or url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue  # inline: already counted in the document that holds it
        if f"{parts.scheme}://{parts.netloc}" != origin:
            weight.problems.append(f"reference to another origin: {url}")
            continue
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        try:
            body = response.get_data()
        finally:
            response.close()
        if response.status_code != 200:
            weight.problems.append(f"{url} answered {response.status_code}")
            continue
        content_type = response.mimetype or ""
        weight.resources.append(Resource(url, content_type, len(body), _counted_size(body, content_type)))
        text = body.decode(response.mimetype_params.get("charset", "utf-8"), errors="replace")
        if content_type == "text/html":
            parser = _References()
            parser.feed(text)
            refs = parser.urls
            if not any("icon" in (r or "") for r in refs):
                refs.append("/favicon.ico")  # what a browser asks for when the page names no icon
        elif content_type == "text/css":
            refs = [m.group(2) or m.group(4) for m in _CSS_URL.finditer(text)]
        else:
            refs = []
        queue += [urljoin(url, ref.strip()) for ref in refs if ref and ref.strip()]
    return weight


def open_registration_paths() -> list[str]:
    """The registration pages of every published event still open for registration (app context needed)."""
    from sqlalchemy import select

    from foros.events.models import Event
    from foros.extensions import db

    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    return [f"/eventos/{e.slug}/registro" for e in events if e.is_public and e.registration_open()]


def main() -> int:
    from foros import create_app
    from foros.demo.data import load_demo_data
    from foros.extensions import db

    with tempfile.TemporaryDirectory(prefix="foros-weight-") as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/weight.sqlite3", "WORKER_ENQUEUE": False,
                          "SECRET_KEY": "page-weight-secret-key-0123456789-abcdefghij"})
        with app.app_context():
            db.create_all()
            load_demo_data()
            db.session.commit()
            paths = open_registration_paths()
            db.session.remove()
        weights = [measure_page(app.test_client(), path) for path in paths]
        with app.app_context():
            db.engine.dispose()
    for weight in weights:
        print(weight.render())
    if not weights:
        print("no demo event is open for registration: nothing was measured")
        return 1
    return 0 if all(w.ok for w in weights) else 1


if __name__ == "__main__":
    sys.exit(main())
