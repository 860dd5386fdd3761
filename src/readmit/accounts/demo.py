"""Demo users, one per role, for a local demonstration only."""

from readmit.accounts.models import Role, User
from readmit.accounts.services import create_user
from readmit.core.security import SecurityLevel

DEMO_PASSWORD = "readmit-demo-only"

DEMO_USERS = [
    ("viewer", Role.VIEWER, "IRCC", SecurityLevel.PROTECTED_A, False),
    ("analyst", Role.ANALYST, "CBSA", SecurityLevel.PROTECTED_B, True),
    ("officer", Role.PROGRAM_OFFICER, "IRCC", SecurityLevel.PROTECTED_B, True),
    ("rwg", Role.RWG_MEMBER, "GAC", SecurityLevel.SECRET, True),
    ("admin", Role.ADMINISTRATOR, "PS", SecurityLevel.SECRET, True),
]


def load(*, stdout) -> None:
    for username, role, department, clearance, need_to_know in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        create_user(
            username=username,
            password=None,
            department_code=department,
            role=role,
            clearance=clearance,
            has_need_to_know=need_to_know,
        )
        user = User.objects.get(username=username)
        # The demo password is shorter than the policy on purpose: easy to type, local only.
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    stdout.write("WARNING: these sign-ins are for a local demo only; never use them on a server.")
    for username, role, department, clearance, need_to_know in DEMO_USERS:
        stdout.write(
            f"  {username} / {DEMO_PASSWORD}  ({role.label}, {department}, "
            f"{clearance.label}{', need-to-know' if need_to_know else ''})"
        )
