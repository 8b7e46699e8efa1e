"""Who may do what with units and headcounts, in the admin's terms (Django model permissions)."""

from wagtail.permission_policies import ModelPermissionPolicy

from .models import Headcount, Unit

unit_policy = ModelPermissionPolicy(Unit)
headcount_policy = ModelPermissionPolicy(Headcount)


def can_see(policy, user):
    return policy.user_has_any_permission(user, ["view", "change"])


def can_import(policy, user):
    return policy.user_has_permission(user, "add") and policy.user_has_permission(user, "change")
