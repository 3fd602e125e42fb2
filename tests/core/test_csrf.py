"""CSRF: every HTML POST without a token is refused (400), and one taken from the page works."""

import tempfile

import pytest
from sqlalchemy import func, select

from foros import create_app
from foros.accounts import services as accounts
from foros.accounts.models import ApiToken
from foros.audit.models import AuditEntry
from foros.events.models import EventStatus
from foros.extensions import db
from tests.conftest import PASSWORD, base_config, csrf_token_from, make_event


def _html_post_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    """(rule, endpoint, arguments) of every POST route outside /api/, read once at collection time."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(base_config(f"sqlite:///{tmp}/collect.sqlite3", WTF_CSRF_ENABLED=True))
        routes = sorted(
            (rule.rule, rule.endpoint, tuple(sorted(rule.arguments)))
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith("/api/")
        )
        with app.app_context():
            db.engine.dispose()
    return routes


HTML_POST_ROUTES = _html_post_routes()


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}



def login_with_csrf(client, email, password=PASSWORD):
    """Log in as a person does: open the form, send it back with its token."""
    token = csrf_token_from(client.get("/entrar").get_data(as_text=True))
    return client.post("/entrar", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def csrf_organizer_client(app, organizer):
    client = app.test_client()
    assert login_with_csrf(client, organizer.email).status_code == 302
    return client


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _url(app, endpoint, arguments, values) -> str:
    # CSRF is checked before any view runs, so arguments of other domains may point at nothing ("1").
    return app.url_map.bind("localhost").build(endpoint, {name: values.get(name, "1") for name in arguments})


def test_html_post_routes_exist():
    assert {"accounts.login", "accounts.logout", "events.manage_status"} <= {e for _r, e, _a in HTML_POST_ROUTES}


@pytest.mark.parametrize("as_organizer", [False, True], ids=["anonymous", "organizer"])
@pytest.mark.parametrize(("rule", "endpoint", "arguments"), HTML_POST_ROUTES,
                         ids=[endpoint for _r, endpoint, _a in HTML_POST_ROUTES])
def test_html_post_without_csrf_token_is_refused(app, organizer, staff, as_organizer, rule, endpoint,
                                                 arguments):
    event = make_event(publish=False)
    row, _token = accounts.create_token(staff, "no se revoca sin token CSRF")
    db.session.commit()
    values = {"slug": event.slug, "user_id": staff.id, "token_id": row.id}
    client = app.test_client()
    if as_organizer:
        assert login_with_csrf(client, organizer.email).status_code == 302
    audit_before = _count(AuditEntry)
    # Data that would otherwise succeed where it can: the token is all that is missing.
    data = {"accion": "publish", "email": organizer.email, "password": PASSWORD, "name": "Cambio",
            "role": "staff", "label": "nuevo", "user_id": str(staff.id), "title": "Cambio",
            "kind": "otro", "municipality_key": "15031", "modality": "presencial", "confirm": PASSWORD}
    response = client.post(_url(app, endpoint, arguments, values), data=data)
    assert response.status_code == 400, f"{rule}: {response.status_code}"
    html = response.get_data(as_text=True)
    assert "El formulario caducó o no es válido" in html
    assert _count(AuditEntry) == audit_before
    assert db.session.get(type(event), event.id).status == EventStatus.DRAFT
    assert db.session.get(ApiToken, row.id).revoked_at is None
    if as_organizer:  # still logged in: not even /salir went through
        assert client.get("/gestion/eventos").status_code == 200


def test_no_html_blueprint_or_view_is_exempt(app):
    from foros.extensions import csrf

    exempt_blueprints = {bp.name for bp in csrf._exempt_blueprints}
    assert {"api_events", "api_accounts"} <= exempt_blueprints, "the bearer-token API should be exempt"
    assert all(name.startswith("api_") for name in exempt_blueprints), exempt_blueprints
    html_views = {f"{app.view_functions[e].__module__}.{app.view_functions[e].__name__}"
                  for _r, e, _a in HTML_POST_ROUTES}
    assert not (set(csrf._exempt_views) & html_views)


def test_login_with_token_from_the_page_works(client, organizer):
    response = login_with_csrf(client, organizer.email)
    assert response.status_code == 302
    assert client.get("/gestion/eventos").status_code == 200


def test_token_from_another_session_is_refused(app, organizer):
    other = app.test_client()
    token = csrf_token_from(other.get("/entrar").get_data(as_text=True))
    client = app.test_client()
    client.get("/entrar")
    response = client.post("/entrar", data={"email": organizer.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert client.get("/gestion/eventos").status_code == 302


def test_garbage_token_is_refused(client, organizer):
    client.get("/entrar")
    response = client.post("/entrar", data={"email": organizer.email, "password": PASSWORD,
                                            "csrf_token": "x" * 10_000})
    assert response.status_code == 400
    assert "El formulario caducó o no es válido" in response.get_data(as_text=True)


def test_status_change_with_token_from_the_page_works(app, csrf_organizer_client):
    event = make_event(publish=False)
    page = csrf_organizer_client.get(f"/gestion/eventos/{event.slug}")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    response = csrf_organizer_client.post(f"/gestion/eventos/{event.slug}/estado",
                                          data={"accion": "publish", "csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(type(event), event.id).status == EventStatus.PUBLISHED


def test_logout_with_token_from_the_page_works(csrf_organizer_client):
    page = csrf_organizer_client.get("/gestion/eventos").get_data(as_text=True)
    response = csrf_organizer_client.post("/salir", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert csrf_organizer_client.get("/gestion/eventos").status_code == 302

