"""Actions on people: departments and users, and API tokens."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from readmit.accounts.models import Department, Role, User
from readmit.core.errors import DomainError
from readmit.core.security import SecurityLevel

CANADIAN_DEPARTMENTS = [
    (
        "IRCC",
        "Immigration, Refugees and Citizenship Canada",
        "Immigration, Réfugiés et Citoyenneté Canada",
    ),
    ("CBSA", "Canada Border Services Agency", "Agence des services frontaliers du Canada"),
    ("GAC", "Global Affairs Canada", "Affaires mondiales Canada"),
    ("PS", "Public Safety Canada", "Sécurité publique Canada"),
]


def ensure_default_departments() -> int:
    """The Canadian default configuration; existing departments are left as they are."""
    created = 0
    for code, name_en, name_fr in CANADIAN_DEPARTMENTS:
        _department, was_created = Department.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_fr": name_fr}
        )
        created += was_created
    return created


def clearance_from_text(text: str) -> SecurityLevel:
    """A clearance written as a name ("protected_b", "Protected B") or a number (0-4)."""
    normalised = text.strip().lower().replace(" ", "_").replace("-", "_")
    for level in SecurityLevel:
        if normalised in {level.name.lower(), str(level.value)}:
            return level
    allowed = ", ".join(level.name.lower() for level in SecurityLevel)
    raise DomainError(
        _("Unknown clearance %(given)s; use one of %(allowed)s.")
        % {"given": text, "allowed": allowed}
    )


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    department_code: str | None,
    role: str,
    clearance: SecurityLevel,
    has_need_to_know: bool = False,
    email: str = "",
) -> User:
    """Create a user; with no password the user cannot sign in until one is set."""
    if User.objects.filter(username=username).exists():
        raise DomainError(_("A user named %(username)s already exists.") % {"username": username})
    if role not in Role.values:
        raise DomainError(
            _("Unknown role %(role)s; use one of %(allowed)s.")
            % {"role": role, "allowed": ", ".join(Role.values)}
        )
    department = None
    if department_code:
        department = Department.objects.filter(code=department_code.upper()).first()
        if department is None:
            known = ", ".join(Department.objects.values_list("code", flat=True))
            raise DomainError(
                _("Unknown department %(code)s; known departments: %(known)s.")
                % {"code": department_code, "known": known}
            )
    user = User(
        username=username,
        email=email,
        department=department,
        role=role,
        clearance=clearance,
        has_need_to_know=has_need_to_know,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise DomainError(" ".join(error.messages)) from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def issue_api_token(user: User) -> str:
    """The user's API token, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
