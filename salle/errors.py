"""Errors a user can cause: each carries a stable code and a French message meant for them."""


class SalleError(Exception):
    """An error caused by input or by the state of the day, shown to the user as is."""

    status = 400
    code = "requete_invalide"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None, data=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.data = data or {}

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.data:
            body["details"] = self.data
        return body


class Invalide(SalleError):
    """Malformed input: a missing field, a wrong type, an unreadable file."""


class NonAutorise(SalleError):
    status = 401
    code = "non_authentifie"


class Interdit(SalleError):
    status = 403
    code = "role_interdit"


class Introuvable(SalleError):
    status = 404
    code = "introuvable"


class Conflit(SalleError):
    status = 409
    code = "conflit"
