"""A fresh machine installs what CI tested: the lock files pin every package with hashes and
still say what ``pyproject.toml`` asks for. When this fails, run ``make lock`` (README)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)")


def _direct(extras: bool) -> dict[str, Requirement]:
    lines = list(PYPROJECT["project"]["dependencies"])
    if extras:
        lines += PYPROJECT["project"]["optional-dependencies"]["dev"]
    return {canonicalize_name(r.name): r for r in map(Requirement, lines)}


def _parse_lock(name: str):
    """{package: version}, the packages the lock says come from pyproject.toml, and the
    packages that have no hash."""
    pins, from_pyproject, unhashed = {}, set(), []
    package = None
    lines = (ROOT / name).read_text().splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            package = canonicalize_name(match.group(1))
            pins[package] = match.group(2)
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if "--hash=sha256:" not in following:
                unhashed.append(package)
        elif package and re.search(r"(via|#  ) aligned \(pyproject\.toml\)", line):
            from_pyproject.add(package)
    return pins, from_pyproject, unhashed


LOCKS = [("requirements-dev.lock", True), ("requirements.lock", False)]


@pytest.mark.parametrize("lock, with_dev", LOCKS)
def test_lock_pins_every_package_with_hashes(lock, with_dev):
    pins, _, unhashed = _parse_lock(lock)
    assert pins, f"{lock} pins nothing"
    assert unhashed == []
    # Nothing in the file installs unpinned: every requirement line is an exact pin.
    for line in (ROOT / lock).read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            assert PIN.match(line), f"{lock}: not an exact pin: {line}"


@pytest.mark.parametrize("lock, with_dev", LOCKS)
def test_lock_matches_pyproject(lock, with_dev):
    pins, from_pyproject, _ = _parse_lock(lock)
    wanted = _direct(with_dev)
    assert from_pyproject == set(wanted), (
        f"{lock} was made from other dependencies than pyproject.toml lists: run `make lock`"
    )
    for name, requirement in wanted.items():
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside pyproject.toml's {requirement}: "
            "run `make lock`"
        )


def test_runtime_lock_agrees_with_the_development_lock():
    runtime, _, _ = _parse_lock("requirements.lock")
    development, _, _ = _parse_lock("requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime


def test_installs_go_through_the_locks():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install --no-cache-dir --require-hashes -r requirements.lock" in dockerfile
    assert "pyproject.toml" not in dockerfile  # no install resolves ranges anew
