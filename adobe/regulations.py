"""Privacy Service regulation codes, as data (adobe-api.md §2.8).

Adobe renamed most US codes in 2025 (``ucpa_usa`` -> ``ucpa_ut_usa``; the old values stopped working
after 28 July 2025) and its sources still disagree on two spellings (``dpdpa`` / ``dpdpa_de_usa``,
``ql25`` / ``ql25_qc_can``). So the codes live in this one table, each with the aliases that map to
it; adding a regulation is a one-line change here, not a code change elsewhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adobe.errors import AdobeInvalidRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Regulation:
    code: str
    name: str
    #: Older or alternative codes that mean the same regulation.
    aliases: tuple[str, ...] = ()


# The current list: PS-swagger (2025-05-28), the newest PS-jobs-doc and the PS-ui-guide (May 2026).
# Where the swagger and the newer docs differ in spelling, the newer docs' code is canonical and
# the swagger's is an alias.
REGULATIONS: tuple[Regulation, ...] = (
    Regulation("apa_aus", "Australia Privacy Act"),
    Regulation("ccpa", "California Consumer Privacy Act"),
    Regulation("cpa_co_usa", "Colorado Privacy Act", ("cpa_usa", "cpa")),
    Regulation("cpra_ca_usa", "California Privacy Rights Act", ("cpra_usa",)),
    Regulation("ctdpa_ct_usa", "Connecticut Data Privacy Act", ("ctdpa_usa", "ctdpa")),
    Regulation("dpdpa_de_usa", "Delaware Personal Data Privacy Act", ("dpdpa",)),
    Regulation("fdbr_fl_usa", "Florida Digital Bill of Rights", ("fdbr_usa",)),
    Regulation("gdpr", "EU General Data Protection Regulation"),
    Regulation("hipaa_usa", "US Health Insurance Portability and Accountability Act"),
    Regulation("icdpa_ia_usa", "Iowa Consumer Data Protection Act", ("icdpa_usa",)),
    Regulation("lgpd_bra", "Brazil Lei Geral de Proteção de Dados"),
    Regulation("mcdpa_mn_usa", "Minnesota Consumer Data Privacy Act"),
    # The legacy ``mcdpa_usa`` predates Minnesota's law taking effect (July 2025), so it is read
    # as Montana's [inferred: no Adobe page says which state it meant].
    Regulation("mcdpa_mt_usa", "Montana Consumer Data Privacy Act", ("mcdpa_usa",)),
    Regulation("mhmda_wa_usa", "Washington My Health My Data Act", ("mhmda_usa", "mhmda")),
    Regulation("modpa_md_usa", "Maryland Online Data Privacy Act"),
    Regulation("ndpa_ne_usa", "Nebraska Data Privacy Act", ("ndpa_usa",)),
    Regulation("nhpa_nh_usa", "New Hampshire Privacy Act", ("nhpa_usa",)),
    Regulation("njdpa_nj_usa", "New Jersey Data Privacy Act", ("njdpa_usa",)),
    Regulation("nzpa_nzl", "New Zealand Privacy Act"),
    Regulation("ocpa_or_usa", "Oregon Consumer Privacy Act", ("ocpa_usa",)),
    Regulation("pdpa_tha", "Thailand Personal Data Protection Act"),
    Regulation("pipa_kor", "South Korea Personal Information Protection Act"),
    Regulation("ql25_qc_can", "Quebec Law 25", ("ql25",)),
    Regulation("tdpsa_tx_usa", "Texas Data Privacy and Security Act", ("tdpsa_usa",)),
    Regulation("tipa_tn_usa", "Tennessee Information Protection Act"),
    Regulation("ucpa_ut_usa", "Utah Consumer Privacy Act", ("ucpa_usa",)),
    Regulation("vcdpa_va_usa", "Virginia Consumer Data Protection Act", ("vcdpa_usa",)),
)

_BY_CODE: dict[str, Regulation] = {}
for _regulation in REGULATIONS:
    for _code in (_regulation.code, *_regulation.aliases):
        if _code in _BY_CODE:  # pragma: no cover - guards edits to the table
            raise RuntimeError(f"regulation code {_code!r} listed twice")
        _BY_CODE[_code] = _regulation


def resolve(code: str) -> Regulation:
    """The regulation a current or legacy code names; AdobeInvalidRequest for unknown codes."""
    regulation = _BY_CODE.get(code.strip().lower()) if isinstance(code, str) else None
    if regulation is None:
        raise AdobeInvalidRequest(
            f"unknown Privacy Service regulation {code!r}", field="regulation"
        )
    if regulation.code != code:
        logger.debug("regulation %r is an alias of %r", code, regulation.code)
    return regulation


def current_code(code: str) -> str:
    """The code to send to Adobe for ``code`` (legacy aliases become today's code)."""
    return resolve(code).code


def is_known(code: str) -> bool:
    return isinstance(code, str) and code.strip().lower() in _BY_CODE
