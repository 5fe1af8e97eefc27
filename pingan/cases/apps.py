from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "pingan.cases"
    label = "cases"
    verbose_name = _("矛盾纠纷事项")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from pingan.orgs.models import Division, FunctionArea, Unit

        from . import jobs  # noqa: F401  (registers the ledger import job)
        from .routing import units_changed

        # routing keeps each area's candidate units and centers' function areas per process
        # until one of these changes
        for model in (Unit, Division, FunctionArea):
            uid = f"routing-units-{model.__name__}"
            post_save.connect(units_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(units_changed, sender=model, dispatch_uid=uid)
        serves = Unit.serves.through
        m2m_changed.connect(units_changed, sender=serves, dispatch_uid="routing-units-serves")
