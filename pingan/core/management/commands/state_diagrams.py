"""Write docs/state-machines.md from the declared state machines (or check it is current)."""

from django.core.management.base import BaseCommand, CommandError

from pingan.core import diagrams


class Command(BaseCommand):
    help = "Print the declared state machines into docs/state-machines.md."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args, check: bool = False, **options):
        text = diagrams.render()
        current = diagrams.DOC.read_text(encoding="utf-8") if diagrams.DOC.exists() else ""
        if check:
            if current != text:
                raise CommandError(f"{diagrams.DOC} is stale: run manage.py state_diagrams")
            return
        diagrams.DOC.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {diagrams.DOC} ({len(diagrams.machines())} machines)")
