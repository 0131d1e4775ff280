"""API faces: shared code raises domain errors, each face renders them its own way.

Adding a face is a package under app/routes/ with a ``Face`` (its renderer) and one
registration line; this module builds a throwaway one to pin that nothing else is needed.
"""

import pytest
from flask import Blueprint, jsonify

from app import create_app, openapi
from app.config import TestingConfig
from app.errors import Conflict, DomainError, Invalid
from app.extensions import db
from app.faces import Face
from app.models import User
from app.permissions import get_or_404
from app.schemas import user_create_schema, user_schema


def render_errors_body(exc: DomainError):
    """The RealWorld-style shape: {"errors": {"body": [...]}}."""
    if isinstance(exc, Invalid):
        return jsonify(errors=exc.errors), 422
    return jsonify(errors={"body": [exc.message]}), exc.status


@pytest.fixture
def toy_app():
    toy = Face("toy", "/api/toy", renderers={DomainError: render_errors_body}, title="Toy")
    users = Blueprint("users", __name__)

    @users.get("/users/<id:user_id>")
    @toy.auth(optional=True)
    @toy.response(user_schema)
    def get_user(user_id):
        """Show one user."""
        return get_or_404(User, user_id, "User not found")

    @users.post("/users")
    @toy.body(user_create_schema)
    @toy.response(user_schema, 201)
    @toy.other_responses(409)
    def create_user(data):
        """Always a duplicate."""
        raise Conflict("Username already exists", "username_taken")

    toy.blueprint.register_blueprint(users)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.register_blueprint(toy.blueprint)  # the one registration line
    with app.app_context():
        db.create_all()
    return app


def test_the_same_domain_error_is_rendered_by_each_face(toy_app):
    client = toy_app.test_client()
    toy = client.get("/api/toy/users/7")
    v2 = client.get("/api/v2/users/7")
    v1 = client.get("/api/v1/users/7")

    assert toy.status_code == v2.status_code == v1.status_code == 404
    assert toy.json == {"errors": {"body": ["User not found"]}}
    assert (
        v2.json
        == v1.json
        == {
            "error": "Not Found",
            "message": "User not found",
            "code": "not_found",
        }
    )


def test_a_face_renders_conflicts_and_validation_its_own_way(toy_app):
    client = toy_app.test_client()
    invalid = client.post("/api/toy/users", json={"username": ""})
    conflict = client.post("/api/toy/users", json={"username": "a", "password": "x" * 12})

    assert invalid.status_code == 422
    assert set(invalid.json["errors"]) == {"username", "password"}
    assert conflict.status_code == 409
    assert conflict.json == {"errors": {"body": ["Username already exists"]}}
    # v1 answers the same duplicate with its seed's 400; v2 with 409.
    for version, status in (("v1", 400), ("v2", 409)):
        body = {"username": f"bob-{version}", "password": "x" * 12}
        assert client.post(f"/api/{version}/users", json=body).status_code in (200, 201)
        again = client.post(
            f"/api/{version}/users", json={**body, "username": body["username"].upper()}
        )
        assert again.status_code == status
        assert again.json["message"] == "Username already exists"


def test_a_new_face_gets_its_own_openapi_document(toy_app):
    with toy_app.app_context():
        document = openapi.build_document(toy_app, "toy")
    assert document["info"]["title"] == "Toy"
    assert set(document["paths"]) == {"/users/{user_id}", "/users"}
    post = document["paths"]["/users"]["post"]
    assert set(post["responses"]) == {"201", "400", "409", "413", "415", "422"}
    get = document["paths"]["/users/{user_id}"]["get"]
    assert set(get["responses"]) == {"200", "401", "404"}
