from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "pingan.demo"
    label = "demo"
    verbose_name = _("演示数据")
