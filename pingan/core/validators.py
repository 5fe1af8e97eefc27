"""Validators for identifiers that clerks type."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_number_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number (居民身份证号码) with a correct check digit."""
    value = value.strip().upper()
    if not _ID_PATTERN.match(value):
        raise ValidationError(
            _("身份证号应为18位，前17位为数字，最后一位为数字或X。"), code="format"
        )
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对后重新输入。"), code="check_digit")


def validate_phone(value: str) -> None:
    """A mainland mobile number or a landline with area code."""
    value = "".join(value.split())
    if not (_MOBILE_PATTERN.match(value) or _LANDLINE_PATTERN.match(value)):
        raise ValidationError(
            _("电话号码格式不正确：手机号为11位，固定电话请带区号，如 010-65123456。"),
            code="format",
        )


_PK_PATTERN = re.compile(r"[0-9]{1,19}")
_PK_MAX = 2**63 - 1


def parse_pk(value: object) -> int | None:
    """A primary key from a URL or a query string, or None when it cannot be one.

    Only ASCII digits within a 64-bit integer: ``str.isdigit()`` also accepts '¹¹' and '٣',
    which ``int()`` refuses, and a longer number overflows the database's integer. A lookup with
    None finds nothing, so a malformed id is a 404 like a missing one, never a 500.
    """
    text = str(value)
    if not _PK_PATTERN.fullmatch(text):
        return None
    number = int(text)
    return number if number <= _PK_MAX else None
