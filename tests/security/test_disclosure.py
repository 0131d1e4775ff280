"""What the API says about users: never a password hash, never another user's e-mail."""

from ..helpers import PASSWORD


def test_no_user_answer_carries_a_hash_or_private_fields(
    checked_client, version, checked_auth, alice
):
    checked_auth.create_user("bob", email="bob@example.com")
    bob = checked_auth.headers("bob")
    base = f"/api/{version}"
    signup = checked_client.post(
        f"{base}/users", json={"username": "carol", "password": "password123"}
    )
    login_path = "/api/v1/login" if version == "v1" else "/api/v2/auth/login"
    login = checked_client.post(login_path, json={"username": "alice", "password": PASSWORD})
    public = [
        checked_client.get(f"{base}/users"),
        checked_client.get(f"{base}/users/{alice}"),
        checked_client.get(f"{base}/users/{alice}", headers=bob),
        checked_client.get(f"{base}/posts"),
    ]
    private = [checked_client.get(f"{base}/me", headers=bob), signup]
    for response in [*public, *private, login]:
        assert response.status_code in {200, 201}
        text = response.get_data(as_text=True)
        assert "$argon2" not in text
        assert "password" not in text  # neither the hash nor the field
        assert "token_version" not in text
    for response in public:
        text = response.get_data(as_text=True)
        assert "alice@example.com" not in text
        assert "is_admin" not in text
    assert private[0].json["email"] == "bob@example.com"
