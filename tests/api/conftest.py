"""API clients: a persona's Django test client with a personal access token attached."""

import pytest
from django.test import Client

from api.services import api_token_create


class TokenClient:
    """Sends every request with ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(self, membership, access="read_write", days=30):
        self.membership = membership
        self.token, self.plain = api_token_create(
            actor=membership, name="tests", access=access, expires_in_days=days
        )
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {self.plain}"}

    def _send(self, method, url, data=None, **params):
        kwargs = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        if params:
            kwargs["query_params"] = params
        return getattr(self.client, method)(url, **kwargs)

    def get(self, url, **params):
        return self._send("get", url, **params)

    def post(self, url, data=None):
        return self._send("post", url, {} if data is None else data)

    def patch(self, url, data=None):
        return self._send("patch", url, {} if data is None else data)

    def put(self, url, data=None):
        return self._send("put", url, {} if data is None else data)

    def delete(self, url):
        return self._send("delete", url)


@pytest.fixture
def member_api(member_membership):
    return TokenClient(member_membership)


@pytest.fixture
def manager_api(manager_membership):
    return TokenClient(manager_membership)


@pytest.fixture
def admin_api(admin_membership):
    return TokenClient(admin_membership)


@pytest.fixture
def outsider_api(outsider_membership):
    return TokenClient(outsider_membership)


@pytest.fixture
def member_read_only(member_membership):
    return TokenClient(member_membership, access="read")
