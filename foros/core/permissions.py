"""Who may call which endpoint: read from the access decorators, for the role matrix test and docs."""

#: Endpoints defined by libraries, whose view functions we cannot decorate.
LIBRARY_ENDPOINTS = {
    "static": "public",
    "api-docs.openapi_json": "public",
}


def endpoint_access(app, endpoint: str) -> str | None:
    """Return the declared access of an endpoint (public, staff, organizer, token:…), or None."""
    if endpoint in LIBRARY_ENDPOINTS:
        return LIBRARY_ENDPOINTS[endpoint]
    view = app.view_functions.get(endpoint)
    access = getattr(view, "access", None)
    if access is None:
        # MethodView classes (flask-smorest resources) carry it on the class.
        view_class = getattr(view, "view_class", None)
        access = getattr(view_class, "access", None)
    return access
