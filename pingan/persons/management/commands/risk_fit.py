"""manage.py risk_fit --csv FILE --outcome COL [--group COL] [--exclude COL ...]

Fits an integer-point scorecard from a table of past cases and writes it as a version waiting
for review (see pingan/persons/fitting.py for the method); prints the report's summary.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.errors import ApplicationError
from pingan.orgs.models import Staff
from pingan.persons.services import scorecard_fit

LEVELS = {"low": gettext_lazy("低"), "medium": gettext_lazy("中"), "high": gettext_lazy("高")}


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _("Fit an integer-point risk scorecard from a CSV of past cases with a 0/1 outcome.")

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="the history table (UTF-8 CSV)")
        parser.add_argument("--outcome", required=True, help="the 0/1 outcome column")
        parser.add_argument("--group", help="audit group column (never a factor)")
        parser.add_argument(
            "--exclude", action="extend", nargs="+", default=[], help="columns to leave out"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--min-group-rows",
            type=int,
            help="held-out rows a group needs to count in the gaps "
            "(default PINGAN_FAIRNESS_MIN_ROWS, 50)",
        )
        parser.add_argument("--by", help="username of the administrator fitting it")

    def handle(self, *args, csv, outcome, group, exclude, seed, min_group_rows, by, **options):
        path = Path(csv)
        if not path.is_file():
            raise CommandError(f"--csv: no such file: {path}")
        if min_group_rows is not None and min_group_rows < 1:
            raise CommandError("--min-group-rows must be at least 1")
        actor = None
        if by:
            actor = Staff.objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"--by: no such user: {by}")
        try:
            scorecard = scorecard_fit(
                actor=actor,
                data=path.read_bytes(),
                filename=path.name,
                outcome=outcome,
                group=group,
                exclude=tuple(exclude),
                seed=seed,
                min_group_rows=min_group_rows,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self._summary(scorecard)

    def _summary(self, scorecard) -> None:
        r = scorecard.report
        out = self.stdout.write
        data, method, auc = r["data"], r["method"], r["auc"]
        out(self.style.SUCCESS(f"Scorecard #{scorecard.pk} written, waiting for review."))
        out(
            f"Data: {data['rows']} rows, {data['events']} outcomes "
            f"(rate {data['event_rate']:.1%}); "
            f"train {data['train_rows']}, held out {data['test_rows']}."
        )
        out(
            f"Method: L1 logistic regression, C={method['c']:.4g} by {method['cv_folds']}-fold CV "
            f"(CV AUC {method['cv_auc']:.3f}); 1 point = {method['point_log_odds']:.3f} log-odds "
            f"(odds x{method['odds_per_point']:.2f}); bands 0-{method['max_points']} points."
        )
        out(
            f"Held-out AUC {auc['value']:.3f} (95% CI {auc['low']:.3f}-{auc['high']:.3f}, "
            f"{method['ci']}); before rounding {auc['unrounded']:.3f}."
        )
        out("Factors and points:")
        for factor in r["factors"]:
            bands = ", ".join(f"{b['label']} {b['points']:+d}" for b in factor["bands"])
            out(f"  {factor['label']}: {bands}")
        if r["dropped"]:
            out(f"  (no points: {', '.join(r['dropped'])})")
        cut = r["cutoffs"]
        out(
            _("Levels: 中 from %(medium)s points, 高 from %(high)s.")
            % {"medium": cut["medium_from"], "high": cut["high_from"]}
        )
        out("Calibration on held-out rows (level: rows, observed rate, predicted rate):")
        for row in r["calibration"]:
            if row["n"]:
                out(
                    f"  {LEVELS[row['level']]!s}: {row['n']}, {row['observed']:.1%}, "
                    f"{row['predicted']:.1%}"
                )
            else:
                out(f"  {LEVELS[row['level']]!s}: 0")
        groups = r.get("groups")
        if groups:
            out(
                _("By %(column)s (flag = 高): n, AUC, FPR, FNR (95%% CI)")
                % {"column": scorecard.group_column}
            )
            for row in groups["rows"]:
                small = "" if row["compared"] else f"  (too small: < {groups['min_rows']} rows)"
                out(
                    f"  {row['value']}: {row['n']}, {_ci(row, 'auc')}, {_ci(row, 'fpr')}, "
                    f"{_ci(row, 'fnr')}{small}"
                )
            gaps = groups["gaps"]
            out(
                f"  gaps between groups of {groups['min_rows']}+ rows: AUC {_f(gaps['auc'])}, "
                f"FPR {_f(gaps['fpr'])}, FNR {_f(gaps['fnr'])}"
            )
        for warning in r["warnings"]:
            out(self.style.WARNING(f"Warning: {warning}"))
        out(f"Report: {reverse('persons:scorecard-detail', args=[scorecard.pk])} ({r['seconds']}s)")


def _f(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(row: dict, metric: str) -> str:
    if row[metric] is None:
        return "-"
    return f"{row[metric]:.3f} ({_f(row[f'{metric}_low'])}-{_f(row[f'{metric}_high'])})"
