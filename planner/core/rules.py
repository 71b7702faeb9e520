"""The error every domain rule raises when a request cannot be carried out."""


class RuleError(Exception):
    """A refusal with a message a user understands and the HTTP status that fits it."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
