"""`readmit create_user`: create a user without prompts (for set-up scripts and operators)."""

from django.core.management.base import BaseCommand, CommandError

from readmit.accounts.models import Role
from readmit.accounts.services import clearance_from_text, create_user, issue_api_token
from readmit.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a user with a department, a role, a clearance and need-to-know."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="omit for a user who cannot sign in yet")
        parser.add_argument("--department", help="department code, e.g. IRCC")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument(
            "--clearance",
            default="unclassified",
            help="unclassified, protected_a, protected_b, confidential or secret",
        )
        parser.add_argument("--need-to-know", action="store_true")
        parser.add_argument("--email", default="")
        parser.add_argument("--api-token", action="store_true", help="print an API token")

    def handle(self, *args, **options):
        try:
            user = create_user(
                username=options["username"],
                password=options["password"],
                department_code=options["department"],
                role=options["role"],
                clearance=clearance_from_text(options["clearance"]),
                has_need_to_know=options["need_to_know"],
                email=options["email"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Created user {user.username}.")
        if options["api_token"]:
            self.stdout.write(issue_api_token(user))
