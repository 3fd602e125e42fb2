"""Absolute URLs for links that leave the site (e-mail, API answers), always on ``PUBLIC_URL``."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on ``PUBLIC_URL``, never on the request's ``Host`` header.

    A link that carries a secret (a ticket's private link) and is e-mailed to someone must not be built from a
    header the requester controls: a duplicate sign-up with a forged ``Host`` would otherwise e-mail the
    attendee a link to the forger's server.
    """
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if has_request_context():  # the path (with the app's script root) is cheap to build in a request
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)
