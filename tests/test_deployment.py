"""Production shape and security defaults, checked without a Docker engine."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Test-only variables that production never sets (the browser tests allow sync ORM calls).
PRODUCTION_UNSET = {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_UNSET}
    env.update(
        DJANGO_SETTINGS_MODULE="okr_site.settings",
        DEBUG="0",
        ALLOWED_HOSTS="okr.example.com",
        SECRET_KEY="x" * 20 + "production-grade-secret-with-many-characters-0123456789",
    )
    env.update(extra)
    return env


def test_compose_describes_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in services:
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert "proxy" in services
    assert "gunicorn" in services["web"]["command"]
    # Sync workers sit behind nginx (tests/test_production_shape.py), never facing clients.
    assert "ports" not in services["web"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["environment"]["ALIGNED_UPSTREAM"] == "web:8000"
    template, _, target = proxy["volumes"][0].partition(":")
    assert (ROOT / template).is_file()
    assert target.startswith("/etc/nginx/templates/")
    assert proxy["environment"]["ALIGNED_MAX_BODY"].endswith("m")
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_URL", "ALLOWED_HOSTS"} <= set(env)
        assert env["DATABASE_URL"].startswith("postgres://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_variables_are_the_ones_settings_read():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    settings_source = (ROOT / "okr_site" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    for name in compose["services"]["web"]["environment"]:
        assert name in read, f"docker-compose sets {name}, which settings never read"


def test_production_refuses_to_start_without_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_carry_a_strict_content_security_policy(anon):
    response = anon.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_login_page_has_no_inline_script(anon):
    html = anon.get("/accounts/login/").content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag, f"inline script found: {tag}"
    assert " style=" not in html


def test_no_secret_is_committed():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        assert (
            compose["services"][name]["environment"]["SECRET_KEY"]
            == "${SECRET_KEY:?set SECRET_KEY}"
        )
    assert settings.SECRET_KEY not in (ROOT / "okr_site" / "settings.py").read_text()
