"""The regulations Lookout starts with (adobe-api.md §2.8, as of 2026): defaults, not a gatekeeper.

At run time the one list of regulations is the ``privacy.Regulation`` table, which admins edit:
which codes exist, which legacy code means which current one, how many days a request may take.
This module only supplies that table's default rows (``regulation_defaults_ensure``). The clients
do not consult it: they send whatever well-formed code they are given, and Adobe decides whether it
knows it, so a regulation an admin adds is never refused here before Adobe has seen it.

Adobe renamed most US codes in 2025 (``ucpa_usa`` -> ``ucpa_ut_usa``; the old values stopped working
after 28 July 2025) and its sources still disagree on two spellings (``dpdpa`` / ``dpdpa_de_usa``,
``ql25`` / ``ql25_qc_can``): the older or alternative spellings are each row's aliases.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Regulation:
    code: str
    name: str
    #: The statutory response period in days, counted from submission (GDPR one month, most US
    #: state laws 45 days, LGPD 15, ...).
    days_to_respond: int
    #: Older or alternative codes that mean the same regulation (the table's legacy codes).
    aliases: tuple[str, ...] = ()


# The current list: PS-swagger (2025-05-28), the newest PS-jobs-doc and the PS-ui-guide (May 2026).
# Where the swagger and the newer docs differ in spelling, the newer docs' code is canonical and
# the swagger's is an alias.
REGULATIONS: tuple[Regulation, ...] = (
    Regulation("apa_aus", "Australia Privacy Act", 30),
    Regulation("ccpa", "California Consumer Privacy Act", 45),
    Regulation("cpa_co_usa", "Colorado Privacy Act", 45, ("cpa_usa", "cpa")),
    Regulation("cpra_ca_usa", "California Privacy Rights Act", 45, ("cpra_usa",)),
    Regulation("ctdpa_ct_usa", "Connecticut Data Privacy Act", 45, ("ctdpa_usa", "ctdpa")),
    Regulation("dpdpa_de_usa", "Delaware Personal Data Privacy Act", 45, ("dpdpa",)),
    Regulation("fdbr_fl_usa", "Florida Digital Bill of Rights", 45, ("fdbr_usa",)),
    Regulation("gdpr", "EU General Data Protection Regulation", 30),
    Regulation("hipaa_usa", "US Health Insurance Portability and Accountability Act", 30),
    Regulation("icdpa_ia_usa", "Iowa Consumer Data Protection Act", 90, ("icdpa_usa",)),
    Regulation("lgpd_bra", "Brazil Lei Geral de Proteção de Dados", 15),
    Regulation("mcdpa_mn_usa", "Minnesota Consumer Data Privacy Act", 45),
    # The legacy ``mcdpa_usa`` predates Minnesota's law taking effect (July 2025), so it is read
    # as Montana's [inferred: no Adobe page says which state it meant].
    Regulation("mcdpa_mt_usa", "Montana Consumer Data Privacy Act", 45, ("mcdpa_usa",)),
    Regulation("mhmda_wa_usa", "Washington My Health My Data Act", 45, ("mhmda_usa", "mhmda")),
    Regulation("modpa_md_usa", "Maryland Online Data Privacy Act", 45),
    Regulation("ndpa_ne_usa", "Nebraska Data Privacy Act", 45, ("ndpa_usa",)),
    Regulation("nhpa_nh_usa", "New Hampshire Privacy Act", 45, ("nhpa_usa",)),
    Regulation("njdpa_nj_usa", "New Jersey Data Privacy Act", 45, ("njdpa_usa",)),
    Regulation("nzpa_nzl", "New Zealand Privacy Act", 20),
    Regulation("ocpa_or_usa", "Oregon Consumer Privacy Act", 45, ("ocpa_usa",)),
    Regulation("pdpa_tha", "Thailand Personal Data Protection Act", 30),
    Regulation("pipa_kor", "South Korea Personal Information Protection Act", 10),
    Regulation("ql25_qc_can", "Quebec Law 25", 30, ("ql25",)),
    Regulation("tdpsa_tx_usa", "Texas Data Privacy and Security Act", 45, ("tdpsa_usa",)),
    Regulation("tipa_tn_usa", "Tennessee Information Protection Act", 45),
    Regulation("ucpa_ut_usa", "Utah Consumer Privacy Act", 45, ("ucpa_usa",)),
    Regulation("vcdpa_va_usa", "Virginia Consumer Data Protection Act", 45, ("vcdpa_usa",)),
)
