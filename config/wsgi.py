"""WSGI entry point (gunicorn config.wsgi).

Each worker loads, before its first request, what every intake needs (jieba's dictionary, the
routing model), then takes everything loaded so far out of the garbage collector's sight
(``gc.freeze``). Those objects live as long as the process; scanning them again in every full
collection cost about a fifth of an intake's CPU (issue #8, benchmarks/results).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

from pingan.cases import routing  # noqa: E402  (needs the app registry)

routing.warm_up()
gc.collect()
gc.freeze()
