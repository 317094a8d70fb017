"""Response bodies of the findings summaries."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SeverityCounts(BaseModel):
    """Active findings of one detector, in all and by the detector's severity label."""

    total: int = 0
    by_severity: dict[str, int] = Field(default_factory=dict)


class VulnerabilityCounts(SeverityCounts):
    """Inspector's active vulnerabilities; ``fix_available`` counts those with a full fix."""

    fix_available: int = 0


class PatchState(BaseModel):
    """One managed instance's patch picture, as SSM last reported it."""

    managed_instance_id: str
    ping_status: str | None
    compliance: str | None = Field(description="SSM's Patch compliance: COMPLIANT, NON_COMPLIANT")
    missing: int | None
    failed: int | None
    installed_pending_reboot: int | None
    last_operation: str | None = Field(description="Scan or Install")
    last_operation_at: str | None


class CertificateExpiry(BaseModel):
    """A certificate the asset is or serves, and how long it stays valid."""

    certificate_id: str
    resource_type: str
    name: str
    not_after: str | None
    days_left: int | None = Field(description="whole days until expiry; negative once expired")
    expiring: bool = Field(description="expired, or expires within expiring_days")


class AssetFindings(BaseModel):
    """``GET /assets/{asset_id}/findings``: the dashboard's detector panel for one asset."""

    asset_id: str
    resource_type: str
    account_id: str
    region: str
    owner: str | None
    vulnerabilities: VulnerabilityCounts
    threats: SeverityCounts
    patching: PatchState | None = Field(description="null when SSM does not manage the asset")
    certificates: list[CertificateExpiry]
    certificates_expiring: int
    expiring_days: int


class PatchingRollup(BaseModel):
    """Managed instances across the estate and how many are behind on patches."""

    managed_instances: int = 0
    non_compliant: int = Field(0, description="instances with missing or failed patches")
    never_reported: int = Field(0, description="instances with no patch state at all")
    missing_patches: int = 0
    failed_patches: int = 0
    agents_offline: int = Field(0, description="instances whose PingStatus is not Online")


class CertificateRollup(BaseModel):
    """ACM and IAM certificates with a validity end, and how many are expired or expiring."""

    total: int = 0
    expired: int = 0
    expiring: int = Field(0, description="valid, but expiring within expiring_days")


class EstateFindings(BaseModel):
    """``GET /findings/summary``: the detector figures of the whole (or a filtered) estate."""

    vulnerabilities: VulnerabilityCounts
    threats: SeverityCounts
    patching: PatchingRollup
    certificates: CertificateRollup
    expiring_days: int
