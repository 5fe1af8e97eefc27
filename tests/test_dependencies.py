"""The lock files (requirements/*.txt, `make lock`) match pyproject.toml and the environment.

`make install` installs requirements/dev.txt with ``--require-hashes``; production and
`make bundle` use requirements/main.txt. These tests fail when pyproject.toml was edited without
`make lock`, when a pin has no hash, when the two files disagree, or when the environment the
suite runs in was not installed from the lock.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?: ; (?P<marker>[^\\]+?))? \\$")


def _pins(name: str) -> dict[str, str]:
    """Package → version for this interpreter, from one lock file; every pin has its hashes."""
    lines = (ROOT / "requirements" / name).read_text().splitlines()
    pins = {}
    for index, line in enumerate(lines):
        match = PIN.match(line)
        if not match:
            continue
        assert lines[index + 1].strip().startswith("--hash=sha256:"), f"{line}: no hash"
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate():
            pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def _declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(line) for line in declared]


@pytest.mark.parametrize(
    ("lock", "declared"),
    [("main.txt", _declared()), ("dev.txt", _declared() + _declared("dev"))],
    ids=["main", "dev"],
)
def test_every_declared_dependency_is_pinned_within_its_range(lock, declared):
    pins = _pins(lock)
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements/{lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pins[name]}, outside {requirement}: run `make lock`"
        )


def test_the_site_and_the_suite_share_every_version():
    main, dev = _pins("main.txt"), _pins("dev.txt")
    assert {name: dev.get(name) for name in main} == main


def test_this_environment_was_installed_from_the_lock():
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }
    pins = _pins("dev.txt")
    assert {name: installed.get(name) for name in pins} == pins
