"""manage.py train_router: train the routing model (M1.3) on the center's past cases.

Measures accuracy and top-3 accuracy on a held-out part first, then trains on every case and
saves the model where `routing.load` finds it (``PINGAN_ROUTER_PATH``, or
``<MEDIA_ROOT>/../models/router.npz``). With too few cases it writes nothing and fails, so
a scheduled run cannot replace a good model with a poor one.
"""

from django.core.management.base import BaseCommand, CommandError

from pingan.cases import routing
from pingan.cases.models import Case
from pingan.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "训练受理分流模型（事项描述 → 事项类别），报告留出集准确率后保存。"
        " Train the routing model (narrative → category), report held-out accuracy, save it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--holdout",
            type=float,
            default=0.2,
            help="留出评估的比例 / share of cases held out for evaluation (default 0.2)",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="随机种子 / random seed of the split (default 0)"
        )

    def handle(self, *args, holdout: float, seed: int, **options):
        if not 0 < holdout < 1:
            raise CommandError("--holdout 应在 0 与 1 之间。--holdout must be between 0 and 1.")
        narratives, labels = routing.training_data(Case.objects.all())
        if len(labels) < routing.MIN_TRAINING_CASES:
            raise CommandError(
                f"历史事项只有 {len(labels)} 件，少于 {routing.MIN_TRAINING_CASES} 件，"
                f"未训练分流模型。Only {len(labels)} cases, fewer than "
                f"{routing.MIN_TRAINING_CASES}: the routing model was not trained."
            )
        try:
            evaluation = routing.evaluate(narratives, labels, holdout=holdout, seed=seed)
            router = routing.fit(narratives, labels)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        split = "分层抽样 stratified" if evaluation.stratified else "随机抽样 random"
        self.stdout.write(
            f"训练 {evaluation.train_size} 件、留出 {evaluation.test_size} 件（{split}）。"
            f" Trained on {evaluation.train_size}, held out {evaluation.test_size}."
        )
        self.stdout.write(
            f"准确率 accuracy: {evaluation.accuracy:.1%}；"
            f"前三命中率 top-3 accuracy: {evaluation.top3_accuracy:.1%}"
        )
        path = router.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"已用全部 {router.case_count} 件事项训练并保存：{path}"
                f" Trained on all {router.case_count} cases and saved to {path}"
            )
        )
