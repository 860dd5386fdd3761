"""`readmit assess`: the cooperation assessment on the command line, as the contract shows it.

An operator tool: it reads every country's figures without a user, and its output holds each
country's classification, pattern and reasons (Protected B, need-to-know). Store and share
the output accordingly.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from readmit.assessment import exports, selectors
from readmit.assessment.figures import window_from
from readmit.core.errors import DomainError


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date: {text!r}; write dates as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Assess every country's cooperation on travel documents (methodology readmit-2026.1 "
        "unless --methodology says otherwise). The output holds classifications: it is "
        "PROTECTED B, need-to-know."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="date_from", help="first day of the window (default: to minus a year)"
        )
        parser.add_argument("--to", dest="date_to", help="last day of the window (default: today)")
        parser.add_argument(
            "--as-of", dest="as_of", help="what was known on that date (default: to)"
        )
        parser.add_argument(
            "--country",
            dest="countries",
            nargs="+",
            action="extend",
            metavar="CODE",
            help="only these countries (listed even without data)",
        )
        parser.add_argument("--methodology", help="methodology version (default: the default)")
        parser.add_argument(
            "--format", choices=("json", "csv", "table"), default="json", help="output format"
        )

    def handle(self, *args, **options):
        window_dates = {
            name: iso_date(options[name]) if options[name] else None
            for name in ("date_from", "date_to", "as_of")
        }
        try:
            window = window_from(**window_dates)
            card = selectors.assessment(
                window=window,
                methodology=options["methodology"],
                country_codes=options["countries"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        output_format = options["format"]
        if output_format == "json":
            self.stdout.write(json.dumps(card.as_contract(), ensure_ascii=False, indent=2))
        elif output_format == "csv":
            self.stdout.write(exports.scorecard_csv(card), ending="")
        else:
            self.stdout.write(exports.scorecard_table(card), ending="")
