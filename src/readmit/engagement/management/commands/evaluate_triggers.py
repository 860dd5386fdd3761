"""`readmit evaluate_triggers [--as-of DATE]`: evaluate every active or escalated plan's
escalation triggers and raise alerts for the RWG (once per step and quarter)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from readmit.core.errors import DomainError
from readmit.engagement import services


class Command(BaseCommand):
    help = "Evaluate the escalation triggers of active and escalated plans; raise alerts."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="evaluate as of this date (YYYY-MM-DD); default today")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(
                    f"--as-of {options['as_of']!r} is not a date; write it as YYYY-MM-DD."
                ) from error
        try:
            evaluation = services.evaluate_triggers(user=None, as_of=as_of)
        except DomainError as error:
            raise CommandError(error.message) from error
        plans = "plan" if evaluation.plans == 1 else "plans"
        alerts = "alert" if len(evaluation.raised) == 1 else "alerts"
        self.stdout.write(
            f"{evaluation.plans} {plans} evaluated as of {evaluation.as_of.isoformat()}: "
            f"{len(evaluation.raised)} {alerts} raised, "
            f"{evaluation.already_raised} already raised this quarter."
        )
        if not evaluation.figures_available:
            self.stderr.write(
                "The assessment's quarterly figures are not available: indicator triggers "
                "were not evaluated."
            )
        # Alerts name plans, hence countries: the command line shows only their ids.
        for alert in evaluation.raised:
            self.stdout.write(f"  alert {alert.pk}: plan {alert.plan_id}, step {alert.step.order}")
