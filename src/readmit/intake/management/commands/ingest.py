"""`readmit ingest KIND FILE`: one file in, all of it or nothing, as the contract says.

Exit status 0 and a one-line summary (created, updated, unchanged) on success; 1 with the
problems found (every one, up to a thousand) on standard error when the file is refused.
A progress bar counts the rows read, on a terminal only.
"""

import sys
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from readmit.core.errors import DomainError
from readmit.intake.models import IngestKind
from readmit.intake.services import IngestRefused, ingest_file


class Command(BaseCommand):
    help = (
        "Ingest a requests, cases, aggregates or countries file (CSV or XLSX): every row, or "
        "none if any row is wrong. Re-ingesting a row updates it; an unchanged row is left "
        "as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=IngestKind.values, help="what the file holds")
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="record the ingest under this user, whose role and clearance must allow it",
        )

    def handle(self, *args, **options):
        kind, file = options["kind"], options["file"]
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        user = self._user(options["user"]) if options["user"] else None
        try:
            with self._progress_bar() as progress:
                ingest = ingest_file(kind=kind, path=path, user=user, progress=progress)
        except IngestRefused as refusal:
            raise CommandError(_refusal_text(refusal)) from None
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{kind} {file}: {ingest.created:,} created, {ingest.updated:,} updated, "
            f"{ingest.unchanged:,} unchanged"
        )

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is named {username!r}.")
        return user

    @contextmanager
    def _progress_bar(self):
        if not self.stderr.isatty():
            yield None
            return
        with tqdm(unit=" rows", unit_scale=True, file=sys.stderr, leave=False) as bar:
            yield lambda rows: bar.update(rows - bar.n)


def _refusal_text(refusal: IngestRefused) -> str:
    lines = [refusal.message, *refusal.errors]
    hidden = refusal.error_count - len(refusal.errors)
    if hidden > 0:
        lines.append(f"... and {hidden:,} more.")
    return "\n".join(lines)
