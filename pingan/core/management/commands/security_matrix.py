"""Print who reads what and who may act into docs/security.md (or check it is current)."""

from django.core.management.base import BaseCommand, CommandError

from pingan.core import security


class Command(BaseCommand):
    help = "Print the role × object matrix and the declared actions into docs/security.md."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args, check: bool = False, **options):
        current = security.DOC.read_text(encoding="utf-8") if security.DOC.exists() else ""
        text = security.render(current)
        if check:
            if current != text:
                raise CommandError(f"{security.DOC} is stale: run manage.py security_matrix")
            return
        security.DOC.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {security.DOC}")
