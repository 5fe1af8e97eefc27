from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pingan.patrol"
    label = "patrol"
    verbose_name = _("网格巡查")
