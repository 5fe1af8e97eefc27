"""Errors that services raise and the UI and API turn into a 4xx with a Chinese message."""


class ApplicationError(Exception):
    """A domain rule refused the request; `message` is written for a clerk, not a developer."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """Someone else changed the object since the user loaded it."""

    status_code = 409


class ForbiddenError(ApplicationError):
    """The user may see the object but their role may not do this to it."""

    status_code = 403
