"""The Postman collection: in sync with its generator, and exercising every API endpoint."""

import json
import re
from pathlib import Path

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from postman import build_collection

ROOT = Path(__file__).resolve().parent.parent
POSTMAN = ROOT / "postman"


def requests(items):
    for item in items:
        if "item" in item:
            yield from requests(item["item"])
        else:
            yield item


@pytest.fixture(scope="module")
def collection():
    return json.loads((POSTMAN / "blog-api.postman_collection.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def realworld_collection():
    """The official RealWorld collection, verbatim (postman/realworld/SOURCE.md)."""
    path = POSTMAN / "realworld" / "Conduit.postman_collection.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_committed_files_match_the_generator():
    assert (POSTMAN / "blog-api.postman_collection.json").read_text(
        encoding="utf-8"
    ) == build_collection.render(build_collection.collection()), (
        "run: python -m postman.build_collection"
    )
    environment = json.loads((POSTMAN / "local.postman_environment.json").read_text())
    assert [v["key"] for v in environment["values"]] == ["baseUrl"]


def test_collections_exercise_every_api_endpoint(app, collection, realworld_collection):
    adapter = app.url_map.bind("localhost")
    exercised = set()
    for item in [*requests(collection["item"]), *requests(realworld_collection["item"])]:
        url = item["request"]["url"]
        url = url["raw"] if isinstance(url, dict) else url
        url = url.removeprefix("{{baseUrl}}").replace("{{APIURL}}", "/api").split("?")[0]
        path = re.sub(r"\{\{\w+\}\}", "1", url)
        try:
            endpoint, _ = adapter.match(path, method=item["request"]["method"])
        except (NotFound, MethodNotAllowed):
            if "404" in item["name"]:
                continue  # a deliberate request to an unknown route
            raise
        exercised.add((endpoint, item["request"]["method"]))
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }

    assert routes - exercised == set()


@pytest.mark.parametrize("code", [401, 403, 404, 409, 422])
def test_collection_covers_negative_paths(collection, code):
    names = [item["name"] for item in requests(collection["item"])]

    assert any(name.endswith(f"- {code}") for name in names)


def test_every_request_asserts_something(collection):
    for item in requests(collection["item"]):
        script = "\n".join(
            line
            for event in item["event"]
            if event["listen"] == "test"
            for line in event["script"]["exec"]
        )
        assert "pm.test(" in script, item["name"]
        assert "pm.response.to.have.status(" in script, item["name"]


def test_every_variable_is_set_before_it_is_used(collection):
    known = {"baseUrl", "runId", "loginTimes"}
    for item in requests(collection["item"]):
        script = "\n".join(line for event in item["event"] for line in event["script"]["exec"])
        used = set(re.findall(r"\{\{(\w+)\}\}", json.dumps(item["request"]) + script))
        used |= set(re.findall(r"collectionVariables\.get\('(\w+)'\)", script))

        assert used <= known, f"{item['name']} uses {used - known} before a request sets it"
        known |= set(re.findall(r'collectionVariables\.set\("(\w+)"', script))
