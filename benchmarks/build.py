"""The benchmark data: built once per scale and database with the demo generator, then kept.

A marker row in the database records what was built (scale, case count, seed, a digest of the
generator's source and of the migrations). When it matches, the data is reused; otherwise the
database is emptied and built again. The marker is written last, so an interrupted build is
never mistaken for a finished one.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import datetime

from .config import ROOT, SEED, VAR, BenchError, Scale
from .database import RawDB, Target, read_marker, recreate, write_marker
from .server import bench_env, manage

# Bump when the fixtures added after the generator change.
FIXTURES_VERSION = 2
TIMELINE_EVENTS = 30
LOCAL_END_HOUR = 18


def generator_version() -> str:
    """A digest of what decides the generated data: the demo package, every app's
    ``demo_data`` module and the repeat check's signatures (stored keys). Migrations are not
    in it: a cached database is migrated forward on reuse, as a production database would be,
    so a new index does not force a rebuild."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "pingan" / "demo").rglob("*.py"))
    sources += sorted((ROOT / "pingan").glob("*/demo_data.py"))
    sources.append(ROOT / "pingan" / "cases" / "repeats.py")
    for path in sources:
        if "tests" in path.parts:
            continue
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def wanted_marker(scale: Scale) -> dict:
    return {
        "scale": scale.name,
        "cases": scale.cases,
        "reports": scale.reports,
        "app_data": scale.app_data,
        "seed": SEED,
        "generator": generator_version(),
        "fixtures": FIXTURES_VERSION,
    }


def ensure_data(target: Target, scale: Scale, *, say=print) -> dict:
    """Reuse the cached data when its marker matches, otherwise build it; return the marker."""
    wanted = wanted_marker(scale)
    found = read_marker(target)
    if found and all(found.get(key) == value for key, value in wanted.items()):
        say(f"Data: reusing {scale.cases} cases built {found['built_at']} ({target.label}).")
        manage(target, "migrate", "--noinput")
        _ensure_router(target, say)
        return found
    say(f"Data: building {scale.cases} cases with the demo generator on {target.label} …")
    recreate(target)
    manage(target, "migrate", "--noinput")
    end = (
        datetime.now().astimezone().replace(hour=LOCAL_END_HOUR, minute=0, second=0, microsecond=0)
    )
    seconds, peak_mb = _generate(target, scale, end)
    say(f"Data: generated in {seconds:.0f} s, generator peak RSS {peak_mb:.0f} MB.")
    timeline = _timeline_case()
    _analyze(target)
    marker = {
        **wanted,
        "commit": _commit(),
        "end": end.isoformat(),
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "generate_seconds": round(seconds, 1),
        "generator_peak_mb": round(peak_mb, 1),
        "timeline_case": timeline,
    }
    target.router_path.unlink(missing_ok=True)
    write_marker(target, marker)
    _remember_generator(target, marker)
    _ensure_router(target, say)
    return marker


def _ensure_router(target: Target, say) -> None:
    """The routing model, trained on this data as ``make demo`` trains it, so that intake
    suggests with the classifier (and the web workers carry it) as in production."""
    if target.router_path.exists():
        return
    say("Data: training the routing model on these cases …")
    manage(target, "train_router")


def _generate(target: Target, scale: Scale, end: datetime) -> tuple[float, float]:
    """Run ``manage.py pingan_demo`` in a child process; its wall time and peak RSS."""
    from pingan.patrol.demo_data import TARGET_REPORTS

    log = VAR / "manage.log"
    started = time.monotonic()
    with log.open("a") as out:
        child = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "pingan_demo",
                "--cases",
                str(scale.cases),
                "--seed",
                str(SEED),
                "--end",
                end.isoformat(),
                # the risk and evaluation scenarios read patrols, reports, key persons and
                # schemes as well as cases
                "--app-data",
                scale.app_data,
            ],
            cwd=ROOT,
            env={
                **bench_env(target),
                "PINGAN_PATROL_DEMO_SCALE": str(scale.reports / TARGET_REPORTS),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise BenchError(f"The demo generator failed (exit {child.returncode}); see {log}")
    # ru_maxrss is in KiB on Linux
    return time.monotonic() - started, usage.ru_maxrss / 1024


def _commit() -> str:
    """The commit the data was built at (app demo data follows the code of that day)."""
    done = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def _timeline_case() -> str:
    """A case with a 30-event timeline, grown through the case service (repeat visits merged
    into it), for the case-page scenario. At district and city scale it is one of the clerk's
    unit whose deadline clock runs: the page of such a case also reads the deadline policies and
    the working calendar, so a case in another state would make the query counts differ between
    scales for no reason."""
    from pingan.cases.choices import CLOCK_STATES, OPEN_STATES
    from pingan.cases.models import Case
    from pingan.cases.services import case_merge_visit
    from pingan.orgs.models import Staff

    clerk = Staff.objects.get(username="street_clerk")
    visible = Case.objects.visible_to(clerk).order_by("-registered_at")
    case = (
        visible.filter(state__in=CLOCK_STATES, due_at__isnull=False)
        .filter(handling_unit=clerk.unit_id)
        .first()
    )
    # The tiny scale (the smoke test, whose query counts are not compared) may have none; a
    # repeat visit is merged only into a case still being handled, so a closed case found there
    # keeps the timeline it has.
    case = case or visible.filter(state__in=OPEN_STATES).first() or visible.first()
    if case is None:
        raise BenchError("The generated data has no case in 东华门 for the case-page scenario.")
    visits = TIMELINE_EVENTS - case.events.count() if case.is_open else 0
    for visit in range(max(0, visits)):
        case_merge_visit(
            case=case,
            actor=clerk,
            channel="phone",
            narrative=f"当事人第{visit + 2}次来电询问办理进度，情绪较为激动，要求尽快答复。",
        )
    return case.number


def _analyze(target: Target) -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would gather them."""
    db = RawDB.connect(target)
    try:
        db.execute("ANALYZE")
    finally:
        db.close()


def _remember_generator(target: Target, marker: dict) -> None:
    """Generator runs per scale and database, to show whether its memory stays flat."""
    path = VAR / "generator.json"
    history = json.loads(path.read_text()) if path.exists() else {}
    history[f"{marker['scale']}-{target.label}"] = {
        "cases": marker["cases"],
        "seconds": marker["generate_seconds"],
        "peak_mb": marker["generator_peak_mb"],
        "generator": marker["generator"],
    }
    path.write_text(json.dumps(history, indent=2, sort_keys=True))


def generator_history() -> dict:
    path = VAR / "generator.json"
    return json.loads(path.read_text()) if path.exists() else {}
