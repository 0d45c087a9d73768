"""One shape for every error the API answers, whoever raised it:

``{"detail": "what went wrong", "code": "machine_readable", "errors": {"field": ["message"]}}``

``errors`` names the payload's or the query's fields (``period_id``, not the model's
``period``), so a client can show each message beside what was typed.
"""

from django.http import JsonResponse

# Model field -> the API's name for it.
API_FIELD = {"period": "period_id", "team": "team_id", "owner": "owner_id", "theme": "theme_id"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.errors = status, code, detail, errors or {}


def field_error(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid", "Check the fields named in errors.", {field: [message]})


def error_body(code: str, detail: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}}


def error_response(status: int, code: str, detail: str, errors=None, headers=None):
    return JsonResponse(error_body(code, detail, errors), status=status, headers=headers)


def from_django_validation(exc) -> ApiError:
    """A service's ``ValidationError`` (``full_clean``'s field messages, or a sentence)."""
    if hasattr(exc, "error_dict"):
        errors, general = {}, []
        for name, messages in exc.message_dict.items():
            if name == "__all__":
                general.extend(messages)
            else:
                errors[API_FIELD.get(name, name)] = list(messages)
        detail = " ".join(general) or "Check the fields named in errors."
        return ApiError(422, "invalid", detail, errors)
    return ApiError(422, getattr(exc, "code", None) or "invalid", " ".join(exc.messages))
