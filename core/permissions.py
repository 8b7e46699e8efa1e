"""Questions asked of a Wagtail permission policy in the same words everywhere."""


def can_see(policy, user):
    return policy.user_has_any_permission(user, ["view", "change"])


def can_import(policy, user):
    """A spreadsheet import adds and changes rows, so it needs both permissions."""
    return policy.user_has_permission(user, "add") and policy.user_has_permission(user, "change")
