"""Errors the domain raises, each naming what is wrong in terms a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain_error"


class InvalidField(DomainError, ValueError):
    """A value that breaks a rule of the domain; ``field`` names it (dotted path)."""

    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, prefix: str) -> InvalidField:
        """Return the same error with ``prefix`` put before the field's path."""
        return InvalidField(f"{prefix}.{self.field}" if prefix else self.field, self.message)


class NotFound(DomainError):
    """A referenced thing does not exist; ``field`` names the reference."""

    code = "not_found"

    def __init__(self, kind: str, identifier: str, field: str | None = None) -> None:
        super().__init__(f"{kind} {identifier!r} not found")
        self.kind = kind
        self.identifier = identifier
        self.field = field


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, illegal transition)."""

    code = "conflict"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
