"""A real OpenID Connect provider on 127.0.0.1 for the SSO tests: panva's oidc-provider
(Node), pinned by package-lock.json here and installed by `make oidc-deps`.

``running_provider`` starts it with the given clients and stops it afterwards;
``sign_in_at_provider`` goes through its own sign-in and consent pages with plain HTTP (the
browser journey in tests/e2e does the same in Chromium).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

HERE = Path(__file__).parent
CLIENT_ID = "aligned"
CLIENT_SECRET = "aligned-test-client-secret"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_provider(redirect_uris: list[str]):
    node = shutil.which("node")
    assert node, "Node.js is missing: `make oidc-deps` needs it (Debian's nodejs package)"
    assert (HERE / "node_modules" / "oidc-provider").is_dir(), (
        "the test OpenID provider is not installed: run `make oidc-deps`"
    )
    port = _free_port()
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
    ]
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENTS": json.dumps(clients)}
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [node, "provider.js"], cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        issuer = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
                    break
                except requests.ConnectionError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        output.seek(0)
                        message = f"the OpenID provider did not start:\n{output.read()}"
                        raise AssertionError(message) from None
                    time.sleep(0.1)
            yield Provider(issuer=issuer)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _form_action(page: str) -> str:
    return unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))


def sign_in_at_provider(authorization_url: str, login: str, *, consent: bool = True) -> str:
    """Follow the provider's pages as a person would: sign in as ``login`` (an e-mail), then
    allow Aligned (or refuse with ``consent=False``). Returns the address the provider sends
    the browser back to (Aligned's callback, with the code or an error)."""
    session = requests.Session()
    response = session.get(authorization_url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(authorization_url.split("/auth")[0]):
                return location  # leaving the provider: back to Aligned
            response = session.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        action = urljoin(response.url, _form_action(response.text))
        if 'name="login"' in response.text:
            data = {"prompt": "login", "login": login, "password": "any"}
        elif consent:
            data = {"prompt": "consent"}
        else:
            action = urljoin(response.url, re.search(r'href="([^"]*abort[^"]*)"', response.text)[1])
            response = session.get(action, allow_redirects=False, timeout=10)
            continue
        response = session.post(action, data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")
