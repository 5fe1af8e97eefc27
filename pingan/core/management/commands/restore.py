"""manage.py restore ARCHIVE: load a backup into an empty database (see pingan.core.backup)."""

from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from pingan.core.backup import BackupError, restore


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
            "把备份恢复到空数据库，并核对行数和证据链。"
            " Restore a backup into an empty database and check row counts and evidence chains."
        )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a pingan-backup-….tar.gz file")

    def handle(self, *args, archive: Path, **options):
        try:
            report = restore(archive_path=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        made_at = localtime(datetime.fromisoformat(report.made_at))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已恢复 %(archive)s（备份于 %(made_at)s）：%(tables)d 张表、%(rows)d 行、"
                    "%(files)d 个上传文件，行数与清单一致；"
                    "%(chains)d 条证据链（%(entries)d 条记录）校验通过。"
                )
                % {
                    "archive": report.archive,
                    "made_at": f"{made_at:%Y-%m-%d %H:%M}",
                    "tables": report.tables,
                    "rows": report.rows,
                    "files": report.media_files,
                    "chains": report.chains,
                    "entries": report.chain_entries,
                }
            )
        )
        self.stdout.write(_("请重启网站和后台任务进程，以清空其缓存。"))
