"""`make run`: it prints the demo logins the README names, and e-mail links follow its port."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from organizations.models import Membership

ROOT = Path(__file__).resolve().parent.parent


def _readme_logins():
    """(role, e-mail) of the README's demo-login table."""
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(
        r"^\| (admin|manager|member) \| \*\*([\w.]+@acme\.example)\*\* \|", readme, re.M
    )
    assert len(rows) >= 4, "the README's table of demo logins"
    return rows


def _make_run(tmp_path, *args, **env):
    """What `make run` would execute, with a stand-in python that prints its arguments and
    the SITE_URL it was given (the virtualenv counts as installed)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    python = fake / "python"
    python.write_text('#!/bin/sh\necho "$* SITE_URL=$SITE_URL"\n')
    python.chmod(0o755)
    (fake / ".installed").touch()
    environ = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "MAKEFLAGS"}}
    environ.update(env)
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "run", f"BIN={fake}", *args],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_a_run_on_another_port_links_to_that_port(tmp_path):
    lines = _make_run(tmp_path, PORT="8001")
    assert [line.split()[1] for line in lines] == ["migrate", "seed_demo", "runserver"]
    assert "runserver 127.0.0.1:8001" in lines[2]
    assert all(line.endswith("SITE_URL=http://127.0.0.1:8001") for line in lines)


def test_a_run_on_the_default_port_links_to_8000(tmp_path):
    lines = _make_run(tmp_path)
    assert "runserver 127.0.0.1:8000" in lines[2]
    assert all(line.endswith("SITE_URL=http://127.0.0.1:8000") for line in lines)


def test_a_site_url_given_is_kept(tmp_path):
    lines = _make_run(tmp_path, PORT="8001", SITE_URL="https://okr.example.com")
    assert "runserver 127.0.0.1:8001" in lines[2]
    assert all(line.endswith("SITE_URL=https://okr.example.com") for line in lines)


def test_settings_build_e_mail_links_on_the_site_url_make_run_passes():
    code = (
        "import django; django.setup()\n"
        "from organizations.emails import invitation_url\n"
        "from organizations.models import Invitation\n"
        "print(invitation_url(Invitation(token='abc')))\n"
    )
    env = {**os.environ, "SITE_URL": "http://127.0.0.1:8001", "DEBUG": "1"}
    env["DJANGO_SETTINGS_MODULE"] = "okr_site.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.startswith("http://127.0.0.1:8001/")


@pytest.mark.django_db
def test_seed_demo_prints_every_login_the_readme_names(settings):
    settings.SITE_URL = "http://127.0.0.1:8001"
    out = StringIO()
    call_command("seed_demo", "--org", "acme", "--people", "14", stdout=out)
    printed = out.getvalue()
    assert "Sign in at http://127.0.0.1:8001/accounts/login/ with password “demo”" in printed
    for role, email in _readme_logins():
        line = next(line for line in printed.splitlines() if email in line)
        assert line.split()[0] == role
        membership = Membership.objects.select_related("user").get(
            org__slug="acme", user__email=email
        )
        assert membership.role == role
        assert membership.user.check_password("demo")
        # Seeded as verified: the printed login works on the sign-in page itself.
        assert membership.user.is_active and membership.user.email_verified
        response = Client().post(reverse("accounts:login"), {"email": email, "password": "demo"})
        assert response.status_code == 302, email
