"""Files the site creates are its owner's alone (等保 level 3): the SQLite database, logs,
uploads and exports 0600, directories 0700, whatever the shell's umask."""

import stat
import subprocess
import sys

from django.conf import settings

CREATE = """
import os, sqlite3, sys
import django
django.setup()
folder = sys.argv[1]
sqlite3.connect(os.path.join(folder, "pingan.sqlite3")).execute("create table t (x)")
os.makedirs(os.path.join(folder, "media", "2026"))
open(os.path.join(folder, "site.log"), "w").write("started")
"""


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_process_of_the_site_creates_owner_only_files(tmp_path):
    # given a shell whose umask would leave files readable by everyone
    # when a process of the site creates a database, a log and an upload folder
    subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$0" -c "$1" "$2"', sys.executable, CREATE, tmp_path],
        cwd=settings.BASE_DIR,
        check=True,
    )
    # then only its owner can read or enter them
    assert _mode(tmp_path / "pingan.sqlite3") == 0o600
    assert _mode(tmp_path / "site.log") == 0o600
    assert _mode(tmp_path / "media") == 0o700
    assert _mode(tmp_path / "media" / "2026") == 0o700


def test_uploads_are_stored_owner_only():
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
