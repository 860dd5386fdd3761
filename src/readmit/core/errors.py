"""The one base of every domain error.

A domain error carries a message a user can act on. The edges turn it into a form
error, a 400 response with the same message, or a non-zero exit with the message on
standard error; never a traceback.
"""


class DomainError(Exception):
    """An action the domain refuses, with a message that says why and what is allowed."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class PermissionRefused(DomainError):
    """The user may not do this; the message never names what they may not see."""
