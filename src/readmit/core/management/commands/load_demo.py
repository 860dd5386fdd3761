"""`readmit load_demo`: load the fictional demo set, each capability adding its part.

Every app may have a `demo` module with `load(*, stdout) -> None`; they run in the order
of INSTALLED_APPS, in one transaction. With `--if-empty` nothing happens when the
database already holds demo or real data (what `make run` uses).
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from readmit.accounts.models import User


class Command(BaseCommand):
    help = "Load the fictional demo data set (countries XAA-XZZ) and the demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has users"
        )

    def handle(self, *args, **options):
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has data; demo data not loaded.")
            return
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("readmit."):
                    continue
                try:
                    demo = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.demo":
                        raise
                    continue
                self.stdout.write(f"Loading demo data: {config.verbose_name}")
                demo.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
