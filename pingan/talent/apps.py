from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "pingan.talent"
    label = "talent"
    verbose_name = _("检察官助理培养")
