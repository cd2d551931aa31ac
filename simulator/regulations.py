"""Privacy Service reference data (adobe-api.md Part 2, sections 2.8 to 2.10), as data tables.

Regulation codes changed in 2025 (state abbreviations added); the legacy codes stopped working
after 28 July 2025. The swagger and the newest docs also disagree on two codes (`dpdpa` vs
`dpdpa_de_usa`, `ql25` vs `ql25_qc_can`): the simulator accepts both spellings as one
regulation and reports the newest doc's spelling.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

logger = logging.getLogger(__name__)

# Current codes (swagger since 2025-05-28, newest jobs doc, UI guide of May 2026).
CURRENT_REGULATIONS: tuple[str, ...] = (
    "apa_aus",
    "ccpa",
    "cpa_co_usa",
    "cpra_ca_usa",
    "ctdpa_ct_usa",
    "dpdpa_de_usa",
    "fdbr_fl_usa",
    "gdpr",
    "hipaa_usa",
    "icdpa_ia_usa",
    "lgpd_bra",
    "mcdpa_mn_usa",
    "mcdpa_mt_usa",
    "mhmda_wa_usa",
    "modpa_md_usa",
    "ndpa_ne_usa",
    "nhpa_nh_usa",
    "njdpa_nj_usa",
    "nzpa_nzl",
    "ocpa_or_usa",
    "pdpa_tha",
    "pipa_kor",
    "ql25_qc_can",
    "tdpsa_tx_usa",
    "tipa_tn_usa",
    "ucpa_ut_usa",
    "vcdpa_va_usa",
)

# Spellings the swagger uses for the same regulations (both are current; see module docstring).
SYNONYMS: dict[str, str] = {"dpdpa": "dpdpa_de_usa", "ql25": "ql25_qc_can"}

# Pre-2025 codes and what replaced them. `mcdpa_usa` predates Minnesota's law (2025), so it is
# taken as Montana's (in force since October 2024).
LEGACY_REGULATIONS: dict[str, str] = {
    "cpa_usa": "cpa_co_usa",
    "cpa": "cpa_co_usa",
    "cpra_usa": "cpra_ca_usa",
    "ctdpa_usa": "ctdpa_ct_usa",
    "ctdpa": "ctdpa_ct_usa",
    "fdbr_usa": "fdbr_fl_usa",
    "icdpa_usa": "icdpa_ia_usa",
    "mcdpa_usa": "mcdpa_mt_usa",
    "mhmda_usa": "mhmda_wa_usa",
    "mhmda": "mhmda_wa_usa",
    "ndpa_usa": "ndpa_ne_usa",
    "nhpa_usa": "nhpa_nh_usa",
    "njdpa_usa": "njdpa_nj_usa",
    "ocpa_usa": "ocpa_or_usa",
    "tdpsa_usa": "tdpsa_tx_usa",
    "ucpa_usa": "ucpa_ut_usa",
    "vcdpa_usa": "vcdpa_va_usa",
}

# "The older values (for example, ucpa_usa) stop working after 28 July 2025."
LEGACY_CUTOFF: float = datetime(2025, 7, 29, tzinfo=UTC).timestamp()

# How generated jobs spread over regulations: most traffic is GDPR and CCPA.
REGULATION_WEIGHTS: dict[str, float] = {"gdpr": 40.0, "ccpa": 20.0, "cpra_ca_usa": 8.0}


def resolve_regulation(code: str, *, now: float) -> tuple[str | None, str]:
    """Return (canonical code, "") or (None, reason) for a `regulation` value."""
    if code in CURRENT_REGULATIONS:
        return code, ""
    if code in SYNONYMS:
        return SYNONYMS[code], ""
    if code in LEGACY_REGULATIONS:
        if now < LEGACY_CUTOFF:
            return LEGACY_REGULATIONS[code], ""
        return None, (
            f"Regulation '{code}' is no longer supported after 28 July 2025; "
            f"use '{LEGACY_REGULATIONS[code]}'."
        )
    return None, f"Invalid regulation '{code}'. Supported: {', '.join(CURRENT_REGULATIONS)}."


# `include` codes (appendix, newest table) and the display-ish names product responses use.
PRODUCTS: dict[str, str] = {
    "analytics": "Analytics",
    "audienceManager": "AudienceManager",
    "adCloud": "AdCloud",
    "profileService": "Profile",
    "aepDataLake": "AEPDataLake",
    "campaign": "Campaign",
    "target": "Target",
    "CRS": "CRS",
    "cjm": "CJM",
    "marketo": "Marketo",
    "identity": "Identity",
    "marketomeasure": "MarketoMeasure",
    "commerceMarketingData": "Commerce",
}
# Older table values, still accepted ("Product values are case-insensitive").
LEGACY_PRODUCTS: dict[str, str] = {
    "adobecloudplatform": "AdobeCloudPlatform",
    "primetimeauthentication": "PrimetimeAuthentication",
    "automationproduct": "AutomationProduct",
}
_PRODUCTS_BY_LOWER = {code.lower(): name for code, name in PRODUCTS.items()} | LEGACY_PRODUCTS


def product_name(include_code: str) -> str | None:
    """The product-response name for an `include` value, or None if unknown."""
    return _PRODUCTS_BY_LOWER.get(include_code.lower())


# Standard identity namespaces: code -> namespaceId (appendix table).
NAMESPACES: dict[str, int] = {
    "email": 6,
    "phone": 7,
    "AdCloud": 411,
    "CORE": 0,
    "ECID": 4,
    "TNTID": 9,
    "IDFA": 20915,
    "GAID": 20914,
    "WAID": 8,
}
_NAMESPACE_IDS_BY_LOWER = {code.lower(): ns_id for code, ns_id in NAMESPACES.items()}


def namespace_id(namespace: str) -> int | None:
    return _NAMESPACE_IDS_BY_LOWER.get(namespace.lower())


QUALIFIERS: tuple[str, ...] = (
    "standard",
    "custom",
    "integrationCode",
    "namespaceId",
    "unregistered",
    "analytics",
    "target",
)

ACTIONS: tuple[str, ...] = ("access", "delete")
JOB_STATUSES: tuple[str, ...] = ("submitted", "processing", "complete", "error")

# PRVCY outcome codes (error-codes page, verbatim): code -> (title, description).
SUCCESS_CODES: dict[str, tuple[str, str]] = {
    "6000-200": (
        "Success",
        "The job completed successfully. Review the job details to confirm processed records "
        "and outcomes.",
    ),
    "6051-200": (
        "Not provisioned",
        "Your organization is not provisioned for the requested application. The request is not "
        "applicable.",
    ),
    "6052-200": (
        "User IDs not found",
        "Some user IDs were not found, and unknown user IDs are not applicable for this product. "
        "Ensure that the user IDs are valid, then try again.",
    ),
    "6053-200": (
        "Invalid namespace",
        "The provided identity namespace is not valid for this application. Use a namespace "
        "recognized by the system.",
    ),
    "6054-200": (
        "Partially completed",
        "The job completed for applicable data, but some data was not applicable to the request. "
        "Review the job details for additional information.",
    ),
}
ERROR_CODES: dict[str, tuple[str, str]] = {
    "1000-400": (
        "Formatting error",
        "One or more data values for the specified application have formatting issues. Check "
        "the job details for additional information.",
    ),
    "1001-400": (
        "Not authorized",
        "Your organization is not provisioned. Contact your administrator for additional "
        "information.",
    ),
    "1010-400": (
        "Missing permissions",
        "You do not have the required permissions to perform this action. Contact your "
        "administrator to request access.",
    ),
    "1020-400": (
        "Upload and archive failure",
        "A problem occurred while uploading and archiving access data. Upload the access data "
        "and try again.",
    ),
    "1021-400": (
        "Job failure",
        "One or more privacy jobs created from the request failed. Review the details of the "
        "failed jobs for additional information.",
    ),
    "1022-400": (
        "Data access failure",
        "A problem occurred while accessing the specified data. Review the job details for "
        "additional information.",
    ),
    "1023-400": (
        "Data access failure",
        "A problem occurred while accessing or locating the specified dataset IDs. Verify that "
        "the provided IDs are valid, then try again.",
    ),
    "1024-400": (
        "Unexpected error",
        "An unexpected error occurred. Review the job details for additional information.",
    ),
    "1030-400": (
        "Document rate limit exceeded",
        "The workload exceeded the document rate limit. Reduce your submission rate, then try "
        "again.",
    ),
    "1040-400": (
        "Key encryption access failure",
        "The data could not be processed because the datastore is encrypted and key access was "
        "revoked. Contact your key vault administrator to restore access to the customer key.",
    ),
}
# How often each success code appears among finished products (the rest is 6000-200).
SUCCESS_CODE_WEIGHTS: dict[str, float] = {
    "6000-200": 80.0,
    "6051-200": 5.0,
    "6052-200": 7.0,
    "6053-200": 3.0,
    "6054-200": 5.0,
}
