"""How autofix reaches an asset's account: the single seam for per-account assume-role."""

from __future__ import annotations

from pacbot.common.aws import AccountAccess


def account_access(account_id: str) -> AccountAccess:
    """Credentials to use for ``account_id``.

    The walking skeleton fixes only the caller's own account, so no role is assumed. Inventory
    owns accounts and their role ARNs; when fixes span accounts, look the role up there (its
    ``GET /accounts``) and return ``AccountAccess(account_id, role_arn, external_id)`` here.
    """
    return AccountAccess(account_id=account_id)
