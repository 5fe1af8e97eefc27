"""manage.py repeat_index: the repeat check's words and keys for cases loaded in bulk (M1.3).

Cases registered through the service are indexed as they are registered; rows inserted by an
import or a restore outside it, and older cases after the window (``PINGAN_REPEAT_WINDOW_DAYS``)
was made longer, are not compared with new matters until this has run. Safe to run again: it
indexes only the cases of the window that have no keys.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.cases.repeats import index_missing


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
            "为批量导入的事项补建重复事项比对索引。"
            " Index the cases loaded in bulk for the repeat check."
        )

    def handle(self, *args, **options):
        count = index_missing(now=timezone.now())
        self.stdout.write(_("已建立索引的事项：%(count)d 件。") % {"count": count})
