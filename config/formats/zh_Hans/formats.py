"""One date style on every page (UI.md): 2026-12-06 and 2026-12-06 23:38, as the tables,
the date inputs and the exports already write them, instead of Django's 2026年12月6日 23:38
wherever a template prints a date without naming a format."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
