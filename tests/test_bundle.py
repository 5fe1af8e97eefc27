"""tools/bundle.py refuses a bundle that was changed, padded or built for another machine.

The whole path (build online, install with no network, `manage.py check`) runs in `.ci/run`
as `make check-offline`; these are its refusals, which need no pip.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "bundle", Path(__file__).resolve().parent.parent / "tools" / "bundle.py"
)
bundle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bundle)


@pytest.fixture
def unpacked(tmp_path) -> Path:
    """A bundle folder as `build` leaves it: wheels, target, checksums."""
    top = tmp_path / "pingan-bundle-test"
    (top / "bundle" / "wheels").mkdir(parents=True)
    (top / "bundle" / "wheels" / "six-1.16.0-py2.py3-none-any.whl").write_bytes(b"wheel")
    (top / "bundle" / "requirements.txt").write_text("six==1.16.0 --hash=sha256:00\n")
    (top / "bundle" / "target.json").write_text(json.dumps(bundle._target()))
    bundle.write_sums(top)
    return top


def test_an_intact_bundle_passes_the_check(unpacked):
    bundle._verify(unpacked)


def test_a_changed_wheel_is_named(unpacked):
    wheel = "six-1.16.0-py2.py3-none-any.whl"
    (unpacked / "bundle" / "wheels" / wheel).write_bytes(b"evil")
    with pytest.raises(bundle.BundleError, match=re.escape(f"{wheel} is missing or changed")):
        bundle._verify(unpacked)


def test_a_wheel_slipped_in_is_refused(unpacked):
    (unpacked / "bundle" / "wheels" / "extra-1.0-py3-none-any.whl").write_bytes(b"x")
    with pytest.raises(bundle.BundleError, match=r"Unlisted files.*extra-1\.0"):
        bundle._verify(unpacked)


def test_a_bundle_for_another_platform_is_refused_before_anything_is_installed(unpacked, tmp_path):
    target = {**bundle._target(), "platform": "win-amd64"}
    (unpacked / "bundle" / "target.json").write_text(json.dumps(target))
    bundle.write_sums(unpacked)
    venv = tmp_path / "venv"
    with pytest.raises(bundle.BundleError, match=r"This bundle is for .* on win-amd64"):
        bundle.install(unpacked, venv)
    assert not venv.exists()


def test_something_that_is_not_a_bundle_gets_a_clear_error(tmp_path):
    junk = tmp_path / "pingan.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(bundle.BundleError, match="not a readable bundle archive"):
        bundle.install(junk, tmp_path / "venv")
    with pytest.raises(bundle.BundleError, match="no such bundle"):
        bundle.install(tmp_path / "absent.tar.gz", tmp_path / "venv")
