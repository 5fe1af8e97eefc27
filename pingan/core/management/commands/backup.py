"""manage.py backup: one archive of the database and the uploads (see pingan.core.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pingan.core.backup import BackupError, backup


class Command(BaseCommand):
    @property
    def help(self) -> str:  # evaluated when asked: argparse needs a str
        return _(
            "备份数据库和上传文件到一个归档文件（不含数据密钥）。"
            " Back up the database and the uploads into one archive (without the data key)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "backups",
            help="directory for the archive (default: var/backups)",
        )

    def handle(self, *args, output: Path, **options):
        try:
            path, manifest = backup(directory=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("备份完成：%(path)s（%(tables)d 张表，%(rows)d 行，%(files)d 个上传文件）。")
                % {
                    "path": path,
                    "tables": len(manifest["tables"]),
                    "rows": sum(manifest["tables"].values()),
                    "files": len(manifest["files"]) - 1,
                }
            )
        )
        self.stdout.write(
            _(
                "提醒：数据密钥（PINGAN_DATA_KEY）不在备份中，请另行妥善保管；"
                "没有它，备份中的个人信息无法解密。"
            )
        )
