"""The words shown for the assessment's codes (classification, pattern, ratings, outcomes)."""

from django.utils.translation import gettext_lazy as _

from readmit.assessment import ratings

CLASSIFICATIONS = {
    ratings.RECALCITRANT: _("Recalcitrant"),
    ratings.AT_RISK: _("At risk"),
    ratings.COOPERATIVE: _("Cooperative"),
    ratings.INSUFFICIENT_DATA: _("Insufficient data"),
}
PATTERNS = {
    ratings.UNWILLING: _("Unwilling"),
    ratings.UNABLE: _("Unable"),
    ratings.MIXED: _("Mixed"),
}
RATING_COLOURS = {
    ratings.GREEN: _("Green"),
    ratings.AMBER: _("Amber"),
    ratings.RED: _("Red"),
    ratings.NOT_AVAILABLE: _("Not available"),
}
RATING_NAMES = {
    "issuance": _("Issuance"),
    "timeliness": _("Timeliness"),
    "responsiveness": _("Responsiveness"),
    "returns": _("Returns"),
}
OUTCOMES = {
    "targeted": _("Targeted"),
    "monitored": _("Monitored"),
    "not_targeted": _("Not targeted"),
    "deferred": _("Deferred"),
}
DIRECTIONS = {
    "stronger": _("The RWG went further than the proposal."),
    "weaker": _("The RWG went less far than the proposal."),
}
