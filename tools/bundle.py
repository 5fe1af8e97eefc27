"""An offline install for a server on an intranet (X3): `make bundle` and `make install-offline`.

``python tools/bundle.py build --output DIR`` (run by `make bundle`, online) writes one archive,
``pingan-bundle-<commit>-<python>-<platform>.tar.gz``, whose top folder is the source at HEAD
(``git archive``) plus

- ``bundle/wheels/``: a wheel of every package in requirements/main.txt, for this machine's
  Python and platform (packages published only as source are built here, once);
- ``bundle/requirements.txt``: those wheels pinned with their own hashes;
- ``bundle/target.json``: the Python and platform the wheels are for;
- ``static/vendor/``: the front-end assets `make assets` copied from npm;
- ``bundle/SHA256SUMS``: every other file's SHA-256 (``sha256sum -c`` reads it too).

``python tools/bundle.py install BUNDLE --venv .venv`` (run by `make install-offline`, offline)
checks the checksums and the target, creates the virtual environment, installs with
``pip --no-index`` from the bundle's wheels only (no pip configuration, no index, no npm) and
copies the front-end assets into this checkout. BUNDLE is the archive or its unpacked folder.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = Path("static/vendor")
SUMS = Path("bundle/SHA256SUMS")


class BundleError(Exception):
    """What went wrong, in words an administrator can act on."""


def _target() -> dict:
    return {
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "implementation": sys.implementation.cache_tag,
        "platform": sysconfig.get_platform(),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pip_env() -> dict:
    """No pip configuration of this machine (extra indexes, find-links): only what is asked."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


# --- build ---------------------------------------------------------------------------------------


def build(output: Path) -> Path:
    from packaging.utils import parse_wheel_filename  # the build runs in the project's venv

    if not (ROOT / VENDOR).is_dir():
        raise BundleError("static/vendor/ is missing: run `make assets` first.")
    commit = _git("rev-parse", "--short=12", "HEAD")
    target = _target()
    name = f"pingan-bundle-{commit}-{target['implementation']}-{target['platform']}"
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pingan-bundle-") as work:
        top = Path(work) / name
        top.mkdir()
        source = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(source), mode="r:") as archive:
            archive.extractall(top, filter="data")
        shutil.copytree(ROOT / VENDOR, top / VENDOR, dirs_exist_ok=True)
        wheels = top / "bundle" / "wheels"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--require-hashes",
                "--no-deps",
                "--wheel-dir",
                str(wheels),
                "-r",
                str(ROOT / "requirements" / "main.txt"),
            ],
            check=True,
        )
        lines = []
        for wheel in sorted(wheels.glob("*.whl")):
            package, version, _build, _tags = parse_wheel_filename(wheel.name)
            lines.append(f"{package}=={version} --hash=sha256:{_sha256(wheel)}")
        (top / "bundle" / "requirements.txt").write_text("\n".join(lines) + "\n")
        (top / "bundle" / "target.json").write_text(json.dumps(target, indent=1) + "\n")
        write_sums(top)
        archive_path = output / f"{name}.tar.gz"
        partial = archive_path.with_name(archive_path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(top, arcname=name)
        partial.rename(archive_path)
    print(f"{archive_path} ({len(lines)} wheels, {archive_path.stat().st_size >> 20} MB)")
    return archive_path


def write_sums(top: Path) -> None:
    """bundle/SHA256SUMS: every file of the bundle but itself, as ``sha256sum`` writes it."""
    sums = top / SUMS
    files = sorted(path for path in top.rglob("*") if path.is_file() and path != sums)
    sums.write_text(
        "".join(f"{_sha256(path)}  {path.relative_to(top).as_posix()}\n" for path in files)
    )


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


# --- install -------------------------------------------------------------------------------------


def install(bundle: Path, venv: Path) -> None:
    if not bundle.exists():
        raise BundleError(f"{bundle}: no such bundle.")
    with tempfile.TemporaryDirectory(prefix="pingan-install-") as work:
        top = _unpacked(bundle, Path(work))
        _verify(top)
        wanted = json.loads((top / "bundle" / "target.json").read_text())
        if wanted != _target():
            raise BundleError(
                f"This bundle is for {wanted['implementation']} on {wanted['platform']}; this "
                f"machine runs {_target()['implementation']} on {_target()['platform']}. Build "
                "the bundle on a machine like the server (same Python and platform)."
            )
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-index",
                "--find-links",
                str(top / "bundle" / "wheels"),
                "--require-hashes",
                "--no-deps",
                "-r",
                str(top / "bundle" / "requirements.txt"),
            ],
            env=_pip_env(),
            check=True,
        )
        if (top / VENDOR).resolve() != (ROOT / VENDOR).resolve():
            shutil.copytree(top / VENDOR, ROOT / VENDOR, dirs_exist_ok=True)
    print(f"Installed from {bundle} into {venv}; front-end assets in {VENDOR}/.")


def _unpacked(bundle: Path, work: Path) -> Path:
    """The bundle's top folder: the folder given, or the archive unpacked into ``work``."""
    if bundle.is_dir():
        return bundle
    try:
        with tarfile.open(bundle, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"{bundle} is not a readable bundle archive: {exc}") from exc
    (top,) = work.iterdir()
    return top


def _verify(top: Path) -> None:
    sums = top / SUMS
    if not sums.is_file():
        raise BundleError(f"{top} has no {SUMS}: not a Pingan bundle.")
    listed = set()
    for line in sums.read_text().splitlines():
        digest, name = line.split("  ", 1)
        path = top / name
        if not path.is_file() or _sha256(path) != digest:
            raise BundleError(f"{name} is missing or changed in the bundle (SHA256SUMS).")
        listed.add(name)
    wheels = {f"bundle/wheels/{path.name}" for path in (top / "bundle" / "wheels").glob("*")}
    if wheels - listed:
        raise BundleError(f"Unlisted files in the bundle: {', '.join(sorted(wheels - listed))}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write a bundle (needs the network)")
    build_parser.add_argument("--output", type=Path, default=ROOT / "dist")
    install_parser = commands.add_parser("install", help="install from a bundle (offline)")
    install_parser.add_argument("bundle", type=Path)
    install_parser.add_argument("--venv", type=Path, default=ROOT / ".venv")
    args = parser.parse_args()
    try:
        if args.command == "build":
            build(args.output)
        else:
            install(args.bundle, args.venv)
    except BundleError as exc:
        sys.exit(f"error: {exc}")
    except subprocess.CalledProcessError as exc:
        sys.exit(f"error: {' '.join(map(str, exc.cmd[:4]))}… exited with {exc.returncode}")


if __name__ == "__main__":
    main()
