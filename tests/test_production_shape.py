"""The production shape under slow and greedy clients: nginx (``deploy/nginx``) in front of
gunicorn with two sync workers, both started here on free loopback ports.

The fault run found that four clients sending their headers slowly made the site
unreachable (sync workers faced the clients), and that a 300 MB upload to the anonymous
sign-in page was read in full. Each check here runs against the bare gunicorn too, where
it shows the fault (slow clients) or Django's own limit (bodies).
"""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = ROOT / "deploy" / "nginx" / "aligned.conf.template"
MAX_BODY_MB = 10
SLOW_CLIENTS = 4
HUGE = 300 * 1024 * 1024

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"port {port} never opened:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, django_db_setup, django_db_blocker):
    """(gunicorn port, nginx port): the app under two sync workers, and nginx before it."""
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs Debian's nginx-light"
    tmp = tmp_path_factory.mktemp("production-shape")
    with django_db_blocker.unblock():
        database_url = _database_url()
    app_port, proxy_port = _free_port(), _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "okr_site.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "production-shape-test-secret-0123456789-abcdefghijklmnop",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAX_REQUEST_BODY_MB": str(MAX_BODY_MB),
        "TRUSTED_PROXY_COUNT": "1",
    }
    # Production serves hashed static files collected beforehand (the Dockerfile does it).
    env["STATIC_ROOT"] = str(tmp / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    app_log = tmp / "gunicorn.log"
    app = subprocess.Popen(
        [GUNICORN, "okr_site.wsgi:application", "--workers", "2", "--timeout", "30",
         "--bind", f"127.0.0.1:{app_port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=app_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    site = (
        TEMPLATE.read_text()
        .replace("${ALIGNED_UPSTREAM}", f"127.0.0.1:{app_port}")
        .replace("${ALIGNED_LISTEN}", f"127.0.0.1:{proxy_port}")
        .replace("${ALIGNED_MAX_BODY}", f"{MAX_BODY_MB}m")
    )
    (tmp / "aligned.conf").write_text(site)
    (tmp / "nginx.conf").write_text(
        # What the nginx image's own nginx.conf provides around conf.d, in a private prefix.
        f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n"
        f"  proxy_temp_path {tmp}/proxy;\n  fastcgi_temp_path {tmp}/fastcgi;\n"
        f"  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n"
        f"  include {tmp}/aligned.conf;\n}}\n"
    )
    proxy_log = tmp / "nginx.log"
    proxy = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
        stdout=proxy_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_port(app_port, app, app_log)
        _wait_for_port(proxy_port, proxy, proxy_log)
        # Each worker loads the app on its first request: seconds on a busy machine.
        deadline = time.monotonic() + 60
        while sum(_get(proxy_port, timeout=20) == 200 for _ in range(4)) < 4:
            assert time.monotonic() < deadline, app_log.read_text(errors="replace")[-3000:]
        yield app_port, proxy_port
    finally:
        _stop(proxy)
        _stop(app)


def _get(port: int, path: str = "/accounts/login/", timeout: float = 10.0) -> int:
    """Status of one plain request, or 0 when it did not answer in time."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        try:
            head = s.recv(64)
        except TimeoutError:
            return 0
    return int(head.split()[1]) if head.startswith(b"HTTP/") else 0


class SlowClients:
    """Clients that send a request's headers one byte every quarter of a second."""

    def __init__(self, port: int, count: int = SLOW_CLIENTS):
        self.port, self.count = port, count
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._trickle, daemon=True) for _ in range(count)]

    def _trickle(self):
        request = b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 400
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                for byte in request:
                    if self.stop.is_set():
                        return
                    s.sendall(bytes([byte]))
                    time.sleep(0.25)
        except OSError:
            return  # the server hung up on us: what nginx does after its header timeout

    def connected(self) -> int:
        return sum(thread.is_alive() for thread in self.threads)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        time.sleep(1)  # every slow client connected and holding whatever it holds
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)


def test_slow_clients_do_not_block_others_behind_the_proxy(servers):
    app_port, proxy_port = servers
    assert _get(proxy_port) == 200
    with SlowClients(proxy_port) as slow:
        statuses = [_get(proxy_port) for _ in range(5)]
        still_trickling = slow.connected()
    assert statuses == [200] * 5
    # Answered while every slow client was still sending its headers (they take 100 s).
    assert still_trickling == SLOW_CLIENTS


def test_slow_clients_hold_bare_sync_workers(servers):
    """Why the proxy is there: the same clients against gunicorn alone take every worker."""
    app_port, _ = servers
    with SlowClients(app_port):
        assert _get(app_port, timeout=2) == 0
    # Once they are gone the workers serve again.
    deadline = time.monotonic() + 10
    while _get(app_port) != 200:
        assert time.monotonic() < deadline, "gunicorn never recovered"


def _post_huge_body(port: int) -> tuple[int, int]:
    """POST a multipart body announcing 300 MB; (status, bytes sent before the answer)."""
    boundary = "aligned-test-boundary"
    head = (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {HUGE}\r\nConnection: close\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n'
    ).encode()
    chunk = b"\0" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head)
        s.setblocking(False)
        answer = b""
        deadline = time.monotonic() + 10
        while sent < HUGE and time.monotonic() < deadline:
            try:
                answer += s.recv(4096)
                if answer:
                    break
            except BlockingIOError:
                pass
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                break  # the server closed the connection on us
        s.setblocking(True)
        s.settimeout(5)
        while b"\r\n" not in answer:
            try:
                more = s.recv(4096)
            except OSError:
                break
            if not more:
                break
            answer += more
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/") else 0
    return status, sent


@pytest.mark.parametrize("through", ["proxy", "bare gunicorn"])
def test_an_oversized_body_is_refused_before_it_is_read(servers, through):
    app_port, proxy_port = servers
    status, sent = _post_huge_body(proxy_port if through == "proxy" else app_port)
    assert status == 413
    assert sent < 50 * 1024 * 1024  # refused from its headers, not after 300 MB
    assert _get(proxy_port) == 200  # and the site serves on
