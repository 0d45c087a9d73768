"""A real HTTP server on 127.0.0.1 standing in for Slack's webhook endpoint.

Each test scripts its answers (``slack.answers``: status, headers, delay) and reads what it
was sent (``slack.received``: path and decoded JSON). Unscripted requests get 200 "ok", as
Slack answers a good post. ``SLACK_WEBHOOK_PREFIX`` points at it for the test.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# The real broker and worker processes of the reminders' exactly-once tests.
from tests.checkins.test_exactly_once_workers import broker, workers  # noqa: F401


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class FakeSlack:
    def __init__(self):
        self.answers: list[Answer] = []
        self.received: list[dict] = []
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def prefix(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path="services/T0001/B0001/abcdEFGHijklMNOP") -> str:
        return self.prefix + path

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    @property
    def texts(self) -> list[str]:
        return [r["json"]["text"] for r in self.received]

    def _handler(self):
        slack = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with slack.lock:
                    answer = slack.answers.pop(0) if slack.answers else Answer()
                    slack.received.append(
                        {
                            "path": self.path,
                            "content_type": self.headers.get("Content-Type"),
                            "json": json.loads(body),
                            "status": answer.status,
                            "at": time.monotonic(),
                        }
                    )
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(answer.body.encode())
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, *args):
                pass

        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack(settings):
    fake = FakeSlack()
    settings.SLACK_WEBHOOK_PREFIX = fake.prefix
    settings.SLACK_TIMEOUT = 1.0
    settings.SITE_URL = "https://okr.example"
    yield fake
    fake.close()
