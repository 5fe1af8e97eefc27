"""Template filters for numbers and personal data on screen."""

from django import template

from pingan.core import masking

register = template.Library()


@register.filter
def thousands(value) -> str:
    """1971 -> 1,971 (numbers in tables are right-aligned with thousands separators)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_id_number(value) -> str:
    return masking.mask_id_number(value)
