"""The public registration page stays light on phones: under 60 KB compressed, everything included."""

import pytest

from bench.page_weight import BUDGET_BYTES, measure_page, open_registration_paths
from foros.demo.data import load_demo_data
from foros.extensions import db


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}  # the page as people get it, CSRF token included


def test_registration_pages_of_the_demo_weigh_under_budget(app, client):
    load_demo_data()
    db.session.commit()
    paths = open_registration_paths()
    assert paths, "the demo should have events open for registration"
    for path in paths:
        weight = measure_page(client, path)
        assert not weight.problems, weight.render()
        types = {r.content_type for r in weight.resources}
        assert {"text/html", "text/css"} <= types, weight.render()  # the page and its stylesheet were followed
        assert weight.total < BUDGET_BYTES, weight.render()
