"""manage.py guide_images: copy the screenshots the user guide shows (docs/guide/*.md) from
the browser tests' output (test-artifacts/screenshots) into static/pingan/guide/, at most 960
pixels wide, so the guide shows the site as the tests last saw it. ``make guide`` runs the
browser tests first."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from pingan.core import guide

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
WIDTH = 960  # wide enough to read a page's labels, light enough to keep in the repository


class Command(BaseCommand):
    help = "Copy the guide's screenshots from the browser tests' output into static/."

    def handle(self, *args, **options):
        wanted = sorted({name for g in guide.guides() for name in g.images})
        missing = [name for name in wanted if not (SCREENSHOTS / name).exists()]
        if missing:
            raise CommandError(
                "no browser test took these screenshots (run make guide): " + ", ".join(missing)
            )
        guide.IMAGE_DIR.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            with Image.open(SCREENSHOTS / name) as image:
                image = image.convert("RGB")
                if image.width > WIDTH:
                    height = round(image.height * WIDTH / image.width)
                    image = image.resize((WIDTH, height), Image.Resampling.LANCZOS)
                # 256 colours are plenty for a page of text and flat colours: a third the bytes
                image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
                image.save(guide.IMAGE_DIR / name, optimize=True)
        self.stdout.write(f"{len(wanted)} screenshots copied into {guide.IMAGE_DIR}")
