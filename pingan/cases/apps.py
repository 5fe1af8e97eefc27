from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "pingan.cases"
    label = "cases"
    verbose_name = _("矛盾纠纷事项")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the ledger import job)
