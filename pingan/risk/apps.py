from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "pingan.risk"
    label = "risk"
    verbose_name = _("风险监测指挥")

    def ready(self) -> None:
        # Index components: ours, then every installed app's ``risk_components`` module.
        from . import components, jobs  # noqa: F401  (jobs registers the measurement job)

        autodiscover_modules("risk_components")
