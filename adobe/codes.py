"""Privacy Service per-product outcome codes (``PRVCY-<code>``, adobe-api.md §2.10).

Adobe: "Error codes are stable once published. Error messages may change … Use error codes, not
message text". Lookout shows each code with its title.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutcomeCode:
    code: str
    http_status: int
    title: str
    description: str

    @property
    def is_error(self) -> bool:
        return self.http_status >= 400


OUTCOME_CODES: dict[str, OutcomeCode] = {
    c.code: c
    for c in (
        OutcomeCode(
            "1000-400",
            400,
            "Formatting error",
            "One or more data values for the specified application have formatting issues. Check "
            "the job details for additional information.",
        ),
        OutcomeCode(
            "1001-400",
            400,
            "Not authorized",
            "Your organization is not provisioned. Contact your administrator for additional "
            "information.",
        ),
        OutcomeCode(
            "1010-400",
            400,
            "Missing permissions",
            "You do not have the required permissions to perform this action. Contact your "
            "administrator to request access.",
        ),
        OutcomeCode(
            "1020-400",
            400,
            "Upload and archive failure",
            "A problem occurred while uploading and archiving access data. Upload the access data "
            "and try again.",
        ),
        OutcomeCode(
            "1021-400",
            400,
            "Job failure",
            "One or more privacy jobs created from the request failed. Review the details of the "
            "failed jobs for additional information.",
        ),
        OutcomeCode(
            "1022-400",
            400,
            "Data access failure",
            "A problem occurred while accessing the specified data. Review the job details for "
            "additional information.",
        ),
        OutcomeCode(
            "1023-400",
            400,
            "Data access failure",
            "A problem occurred while accessing or locating the specified dataset IDs. Verify that"
            " the provided IDs are valid, then try again.",
        ),
        OutcomeCode(
            "1024-400",
            400,
            "Unexpected error",
            "An unexpected error occurred. Review the job details for additional information.",
        ),
        OutcomeCode(
            "1030-400",
            400,
            "Document rate limit exceeded",
            "The workload exceeded the document rate limit. Reduce your submission rate, then try "
            "again.",
        ),
        OutcomeCode(
            "1040-400",
            400,
            "Key encryption access failure",
            "The data could not be processed because the datastore is encrypted and key access was"
            " revoked. Contact your key vault administrator to restore access to the customer key.",
        ),
        OutcomeCode(
            "6000-200",
            200,
            "Success",
            "The job completed successfully. Review the job details to confirm processed records "
            "and outcomes.",
        ),
        OutcomeCode(
            "6051-200",
            200,
            "Not provisioned",
            "Your organization is not provisioned for the requested application. The request is "
            "not applicable.",
        ),
        OutcomeCode(
            "6052-200",
            200,
            "User IDs not found",
            "Some user IDs were not found, and unknown user IDs are not applicable for this "
            "product. Ensure that the user IDs are valid, then try again.",
        ),
        OutcomeCode(
            "6053-200",
            200,
            "Invalid namespace",
            "The provided identity namespace is not valid for this application. Use a namespace "
            "recognized by the system.",
        ),
        OutcomeCode(
            "6054-200",
            200,
            "Partially completed",
            "The job completed for applicable data, but some data was not applicable to the "
            "request. Review the job details for additional information.",
        ),
    )
}


def outcome(response_msg_code: str | None) -> OutcomeCode | None:
    """The table entry for ``PRVCY-6000-200`` (or ``6000-200``); None when unknown or absent."""
    if not response_msg_code:
        return None
    code = response_msg_code.strip().upper().removeprefix("PRVCY-")
    return OUTCOME_CODES.get(code)
