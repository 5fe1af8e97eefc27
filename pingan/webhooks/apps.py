from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "pingan.webhooks"
    label = "webhooks"
    verbose_name = _("对外推送")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from pingan.core.actions import performed

        from . import services
        from .models import Subscriber

        performed.connect(services.on_performed, dispatch_uid="webhooks_publish")
        for signal in (post_save, post_delete):
            signal.connect(
                services.subscribers_changed, sender=Subscriber, dispatch_uid=f"webhooks_{signal}"
            )
