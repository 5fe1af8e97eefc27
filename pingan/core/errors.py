"""Errors that services raise and the UI and API turn into a 4xx with a Chinese message."""


class ApplicationError(Exception):
    """A domain rule refused the request; `message` is written for a clerk, not a developer.
    ``field`` names the input at fault, when one is: a page marks it, the API returns it."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = {**(extra or {}), **({"field": field} if field else {})}


class ConflictError(ApplicationError):
    """Someone else changed the object since the user loaded it."""

    status_code = 409


class ForbiddenError(ApplicationError):
    """The user may see the object but their role may not do this to it."""

    status_code = 403


class StorageFullError(ApplicationError):
    """The upload disk is full: nothing was saved (pingan.core.storage)."""

    status_code = 507
