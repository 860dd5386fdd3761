"""Security levels: the Government of Canada markings every record carries.

They are ordered: a user cleared for a level sees every record at that level or below.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityLevel(models.IntegerChoices):
    UNCLASSIFIED = 0, _("Unclassified")
    PROTECTED_A = 1, _("Protected A")
    PROTECTED_B = 2, _("Protected B")
    CONFIDENTIAL = 3, _("Confidential")
    SECRET = 4, _("Secret")
