"""Who may do what with units and headcounts, in the admin's terms (Django model permissions)."""

from wagtail.permission_policies import ModelPermissionPolicy

from .models import Headcount, Unit

unit_policy = ModelPermissionPolicy(Unit)
headcount_policy = ModelPermissionPolicy(Headcount)
