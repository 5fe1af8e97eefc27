"""Masking of personal data for display: enough to recognise, not enough to misuse."""


def mask_id_number(value: str | None) -> str:
    """110101199003071234 -> 110101********1234 (region kept, birth date hidden)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    """13812345678 -> 138****5678; landlines keep their last four digits."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return f"{value[:3]}****{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{'*' * (len(value) - 4)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    """张三丰 -> 张**: the surname stays so that staff can address the person."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
