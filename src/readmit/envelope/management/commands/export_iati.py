"""`readmit export_iati [--output FILE] [--envelope ID]`: the IATI 2.03 activity file.

Only what may be public goes out (see `envelope.iati`); with no --output the file is
written to standard output.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from readmit.core.errors import DomainError
from readmit.envelope import iati
from readmit.envelope.models import Envelope


class Command(BaseCommand):
    help = "Write the projects that may be public as an IATI 2.03 activity file."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="the file to write (default: standard output)")
        parser.add_argument("--envelope", type=int, help="only this envelope's projects")

    def handle(self, *args, **options):
        envelopes = Envelope.objects.all()
        if options["envelope"] is not None:
            envelopes = envelopes.filter(pk=options["envelope"])
            if not envelopes.exists():
                raise CommandError(f"There is no envelope {options['envelope']}.")
        try:
            export = iati.activities_file(envelopes)
        except DomainError as error:
            raise CommandError(error.message) from None
        if options["output"]:
            Path(options["output"]).write_bytes(export.xml)
            self.stderr.write(
                f"{export.activities} activities written to {options['output']}; "
                f"{export.countries_left_out} project countries left out (not disclosed, "
                "or without an ISO 3166-1 alpha-2 code)."
            )
        else:
            self.stdout.write(export.xml.decode("utf-8"), ending="")
