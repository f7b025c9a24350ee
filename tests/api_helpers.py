"""Calling the JSON API as one of the `world`'s users with a personal token."""
from salon_web.services.api_tokens import create_token


class Api:
    """A test client that sends `Authorization: Bearer` for the given user."""

    def __init__(self, app, user):
        self.client = app.test_client()
        _, self.secret = create_token(user, "tests")

    def call(self, method, path, *, json=None, headers=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.secret}", **(headers or {})}
        return self.client.open("/api/v1" + path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.call("PATCH", path, json=json, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self.call("DELETE", path, json=json, **kwargs)


def api_as(app, world, role):
    """An Api for the world's user with this role (admin, owner, employee, other_owner)."""
    app.config["API_RATE_LIMIT"] = 1_000_000
    return Api(app, world.users[role])
