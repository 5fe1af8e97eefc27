"""manage.py risk_measure_warnings: how well the early warning works, on simulated grids.

Prints, for Poisson and negative-binomial counts (k = 2 and 1) and each kind of surge, the
detected share, the median and 90th-percentile delay in days and the false warnings per 1,000
grid-weeks, each with its 95 % interval, of the weekly test used before December 2026, a daily
7-day Poisson test and the daily 7-day negative-binomial test (the simulation and the rules are
in ``pingan.risk.warning_measure``). ``--sweep`` adds the effect of each setting on
over-dispersed counts; ``--save`` stores the measurement at the current settings, which the
warnings page states.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from pingan.risk.models import RiskSettings
from pingan.risk.services import warning_measurement_store
from pingan.risk.warning_measure import (
    COUNT_MODELS,
    STANDARD,
    SURGES,
    Figure,
    Result,
    compared_methods,
    daily_method,
    evaluate,
    simulate,
)

HEADER = (
    "| counts | surge | method | detected | median delay (d) | p90 delay (d) "
    "| false / 1,000 grid-weeks |"
)


def _figure(figure: Figure | None, digits: int = 0) -> str:
    if figure is None:
        return "—"
    return f"{figure.value:.{digits}f} [{figure.low:.{digits}f}, {figure.high:.{digits}f}]"


def _row(counts: str, surge: str, method: str, result: Result) -> str:
    share = result.detected_share
    detected = (
        f"{result.detected}/{result.surges} = {100 * share.value:.0f}% "
        f"[{100 * share.low:.0f}, {100 * share.high:.0f}]"
    )
    return (
        f"| {counts} | {surge} | {method} | {detected} | {_figure(result.median_delay)} | "
        f"{_figure(result.p90_delay)} | {_figure(result.false_per_1000, 2)} |"
    )


class Command(BaseCommand):
    help = "Compare early-warning methods on simulated grids; --save stores the current one's."

    def add_arguments(self, parser):
        parser.add_argument(
            "--surges",
            choices=[s.key for s in SURGES],
            nargs="*",
            default=[s.key for s in SURGES],
        )
        parser.add_argument("--sweep", action="store_true", help="effect of each setting")
        parser.add_argument(
            "--save", action="store_true", help="store the current settings' measurement"
        )

    def handle(self, *args, **options):
        config = RiskSettings.load()
        self.stdout.write(HEADER)
        self.stdout.write("|" + "---|" * 7)
        for surge in (s for s in SURGES if s.key in options["surges"]):
            for counts, dispersion in COUNT_MODELS:
                simulation = simulate(dispersion=dispersion, surge=surge)
                for name, method in compared_methods(config):
                    result = evaluate(method, simulation, quiet_days=config.quiet_days)
                    self.stdout.write(_row(counts, surge.label, name, result))
        if options["sweep"]:
            self._sweep(config)
        if options["save"]:
            measured = warning_measurement_store(at=timezone.now())
            self.stdout.write(
                f"stored: {measured['detected']}/{measured['surges']} standard surges detected, "
                f"{measured['false_per_1000']['value']:.2f} false warnings per 1,000 grid-weeks"
            )

    def _sweep(self, config: RiskSettings) -> None:
        """Each setting varied alone around the current ones, on NB k=2 standard surges."""
        current = {
            "alpha": config.warning_alpha,
            "min_count": config.warning_min_count,
            "baseline_days": config.warning_baseline_days,
            "dispersion": config.warning_dispersion,
        }
        variants = [
            *({"alpha": a} for a in (1e-4, 3e-4, 1e-3)),
            *({"min_count": m} for m in (2, 3, 4)),
            *({"baseline_days": b} for b in (182, 364)),
            *({"dispersion": d} for d in ("estimated", "poisson")),
        ]
        simulation = simulate(dispersion=2.0, surge=STANDARD)
        self.stdout.write("\nSettings, NB k=2 counts, standard surges:\n")
        self.stdout.write(HEADER.replace("| counts | surge | method", "| setting"))
        self.stdout.write("|" + "---|" * 5)
        for change in variants:
            params = {**current, **change}
            result = evaluate(daily_method(**params), simulation, quiet_days=config.quiet_days)
            label = ", ".join(f"{k}={v}" for k, v in change.items())
            self.stdout.write(_row("", "", label, result).replace("|  |  | ", "| ", 1))
