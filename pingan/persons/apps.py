from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "pingan.persons"
    label = "persons"
    verbose_name = _("重点人员")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the scorecard fitting job)
