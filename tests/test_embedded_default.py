"""`make run`'s embedded default: SQLite, no broker. The rest of the suite runs on
PostgreSQL, so this walks the demo's main pages on SQLite, in a separate process with the
plain settings, to catch queries only PostgreSQL accepts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WALK = r"""
from django.test import Client
from django.urls import reverse
from objectives.models import KeyResult, Objective
from organizations.models import Membership, Team

org = "acme"
objective = Objective.objects.filter(org__slug=org, level="team").first()
kr = KeyResult.objects.filter(org__slug=org).first()
team = Team.objects.filter(org__slug=org).first()
pages = {
    "objectives:my": {}, "objectives:company": {}, "objectives:explore": {},
    "objectives:teams": {}, "objectives:team": {"team_id": team.pk},
    "objectives:objective": {"objective_id": objective.pk}, "objectives:kr": {"kr_id": kr.pk},
    "alignment:tree": {}, "alignment:dashboard": {},
    "alignment:team-dashboard": {"team_id": team.pk},
    # History is PostgreSQL's (triggers): on SQLite these pages say so instead.
    "history:objective": {"objective_id": objective.pk}, "history:kr": {"kr_id": kr.pk},
    "history:log": {},
}
queries = {
    "objectives:explore": ["", "?alignment=unaligned&q=a"],
    "alignment:dashboard": ["", "?stale_days=3"],
}
for email in ("admin@acme.example", "erik@acme.example", "mia@acme.example"):
    client = Client()
    client.force_login(Membership.objects.get(org__slug=org, user__email=email).user)
    for name, kwargs in pages.items():
        url = reverse(name, kwargs={"org_slug": org, **kwargs})
        for query in queries.get(name, [""]):
            response = client.get(url + query)
            status = response.status_code
            print(email, url + query, status)
            assert status in (200, 403), (email, url + query, status)
            if name.startswith("history:") and status == 200:
                assert "runs on SQLite" in response.content.decode(), url
print("walked")
"""


def test_the_demo_pages_work_on_sqlite_without_a_broker(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="okr_site.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        ALLOWED_HOSTS="testserver",
    )

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    for step in (("migrate", "--noinput"), ("seed_demo", "--org", "acme")):
        done = manage(*step)
        assert done.returncode == 0, done.stderr[-3000:]
    walked = manage("shell", "-c", WALK)
    assert walked.returncode == 0, walked.stderr[-3000:]
    assert "walked" in walked.stdout
    assert " 500" not in walked.stdout
