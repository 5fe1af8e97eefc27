"""manage.py train_router: train the routing model (M1.3) on the center's past cases.

Measures accuracy and top-3 accuracy on a held-out part first, then trains on every case and
saves the model where `routing.load` finds it (``PINGAN_ROUTER_PATH``, or
``<MEDIA_ROOT>/../models/router.npz``). With too few cases it writes nothing and fails, so
a scheduled run cannot replace a good model with a poor one.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pingan.cases import routing
from pingan.cases.models import Case
from pingan.core.errors import ApplicationError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
            "训练受理分流模型（事项描述 → 事项类别），报告留出集准确率后保存。"
            " Train the routing model (narrative → category), report held-out accuracy, save it."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--holdout",
            type=float,
            default=0.2,
            help=_("留出评估的比例 / share of cases held out for evaluation (default 0.2)"),
        )
        parser.add_argument(
            "--seed", type=int, default=0, help=_("随机种子 / random seed of the split (default 0)")
        )

    def handle(self, *args, holdout: float, seed: int, **options):
        if not 0 < holdout < 1:
            raise CommandError(_("--holdout 应在 0 与 1 之间。--holdout must be between 0 and 1."))
        narratives, labels = routing.training_data(Case.objects.all())
        if len(labels) < routing.MIN_TRAINING_CASES:
            raise CommandError(
                _(
                    "历史事项只有 %(count)s 件，少于 %(minimum)s 件，"
                    "未训练分流模型。Only %(count)s cases, fewer than "
                    "%(minimum)s: the routing model was not trained."
                )
                % {"count": len(labels), "minimum": routing.MIN_TRAINING_CASES}
            )
        try:
            evaluation = routing.evaluate(narratives, labels, holdout=holdout, seed=seed)
            router = routing.fit(narratives, labels)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        split = _("分层抽样 stratified") if evaluation.stratified else _("随机抽样 random")
        self.stdout.write(
            _(
                "训练 %(train)s 件、留出 %(test)s 件（%(split)s）。"
                " Trained on %(train)s, held out %(test)s."
            )
            % {"train": evaluation.train_size, "test": evaluation.test_size, "split": split}
        )
        self.stdout.write(
            _("准确率 accuracy: %(accuracy)s；前三命中率 top-3 accuracy: %(top3)s")
            % {
                "accuracy": f"{evaluation.accuracy:.1%}",
                "top3": f"{evaluation.top3_accuracy:.1%}",
            }
        )
        path = router.save()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已用全部 %(count)s 件事项训练并保存：%(path)s"
                    " Trained on all %(count)s cases and saved to %(path)s"
                )
                % {"count": router.case_count, "path": path}
            )
        )
