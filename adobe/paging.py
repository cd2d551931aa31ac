"""Paging through ``GET /jobs`` whatever page base the server uses (adobe-api.md Part 1).

Adobe documents page numbers from 0 (the jobs guide) and from 1 (the swagger). The rule: ask page
0; if it is refused with 400, or answered with nothing, ask page 1; skip job ids already seen (a
server that reads page 0 as page 1 repeats it once); stop on a short or empty page. Two repairs
beyond the rule, both driven by ``totalRecords`` when it counts every match:

* a short page while more jobs exist lost items on the way (or the server caps ``size``): it is
  asked once more, then paging carries on;
* once a server has shown it numbers from 1, later listings of the same client start at 1 and save
  the refused probe; if such a listing ends with jobs missing, page 0 is asked after all (and the
  learned base forgotten), so a server that changed its numbering costs one request, not jobs.

A listing that still ends short of ``totalRecords`` after those repairs raises
:class:`~adobe.errors.AdobeIncompleteListing` once every job it read has been yielded: the caller
keeps what came, and knows not to read the missing jobs as gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from adobe.errors import AdobeIncompleteListing, AdobeInvalidRequest
from adobe.models.privacy import JobPage, JobSummary

logger = logging.getLogger(__name__)


@dataclass
class PageBase:
    """What a client knows about its server's page numbering.

    ``fixed`` is set by configuration (0 or 1) and is trusted; ``learned`` is 1 once the server
    refused page 0 or read it as page 1, and is only an optimisation.
    """

    fixed: int | None = None
    learned: int | None = None

    @property
    def start(self) -> int:
        if self.fixed is not None:
            return self.fixed
        return self.learned or 0

    def learn(self, base: int | None) -> None:
        if self.fixed is None and self.learned != base:
            logger.debug("GET /jobs page base now %s", base)
            self.learned = base


def iter_jobs_paged(
    fetch: Callable[[int], JobPage],
    *,
    size: int,
    base: PageBase,
    max_pages: int,
    regulation: str | None = None,
) -> Iterator[JobSummary]:
    """Yield every job once, fetching page after page with ``fetch(page_number)``.

    AdobeIncompleteListing (naming ``regulation``) after the last job when fewer jobs came than
    ``totalRecords`` counted.
    """
    seen: set[str] = set()
    trusted_start = base.fixed is not None or base.start == 0
    number, result, fetched = _first_page(fetch, base)
    from_zero = number == 0
    pages_without_news = 0
    asked_again = False
    while True:
        ids = [job.job_id for job in result.jobs]
        if seen.isdisjoint(ids):
            # The common case, a page of jobs not seen yet, without a set lookup per job.
            fresh: tuple[JobSummary, ...] | list[JobSummary] = result.jobs
            seen.update(ids)
            yield from fresh
        else:
            fresh = [job for job in result.jobs if job.job_id not in seen]
            for job in fresh:
                seen.add(job.job_id)
                yield job
        if len(result.jobs) < size:
            # The last page, unless totalRecords counts more jobs than we have: then the page
            # lost items on the way, or the server caps `size` below ours. Ask it once more.
            if result.jobs and _more_announced(result, len(seen)) and not asked_again:
                asked_again = True
                logger.info(
                    "GET /jobs page %d had %d of %d jobs while %s exist; asking again",
                    number,
                    len(result.jobs),
                    size,
                    result.total_records,
                )
                fetched += 1
                result = fetch(number)
                continue
            if not result.jobs or not _more_announced(result, len(seen)):
                break
        else:
            if not fresh and from_zero and number == 1:
                base.learn(1)  # page 0 was page 1 again: a lenient 1-based server
            # A full page of jobs already seen happens once on such a server; twice in a row
            # means the server ignores `page`.
            pages_without_news = 0 if fresh else pages_without_news + 1
            if pages_without_news > 1:
                logger.warning("GET /jobs repeats the same jobs; stopped after %d pages", fetched)
                break
        if fetched >= max_pages:
            logger.warning("GET /jobs stopped at max_pages=%d", max_pages)
            break
        number += 1
        fetched += 1
        result = fetch(number)
    if not trusted_start and _more_announced(result, len(seen)):
        # We started at a learned page 1 and jobs are missing: the server may number from 0 now.
        logger.info("GET /jobs is missing jobs after starting at page 1; asking page 0")
        base.learn(None)
        for job in _page_zero(fetch):
            if job.job_id not in seen:
                seen.add(job.job_id)
                yield job
    total = result.total_records
    if total is not None and _more_announced(result, len(seen)):
        logger.warning("GET /jobs listed %d jobs but totalRecords says %d", len(seen), total)
        raise AdobeIncompleteListing(listed=len(seen), total=total, regulation=regulation)


def _first_page(fetch: Callable[[int], JobPage], base: PageBase) -> tuple[int, JobPage, int]:
    """The first page's number, the page, and how many requests it took."""
    start = base.start
    if start != 0:
        return start, fetch(start), 1
    try:
        result = fetch(0)
    except AdobeInvalidRequest as exc:
        if exc.status != 400 or exc.field is not None or base.fixed == 0:
            raise
        # A 1-based server refuses page 0. If the 400 was about something else, page 1 is
        # refused too and that error is raised.
        logger.info("GET /jobs refused page 0 (%s); paging from 1", exc.code or exc.status)
        result = fetch(1)
        base.learn(1)
        return 1, result, 2
    if result.jobs or base.fixed == 0:
        return 0, result, 1
    # A 1-based server may answer page 0 with nothing; page 1 settles it.
    second = fetch(1)
    if second.jobs:
        base.learn(1)
    return 1, second, 2


def _page_zero(fetch: Callable[[int], JobPage]) -> tuple[JobSummary, ...]:
    try:
        return fetch(0).jobs
    except AdobeInvalidRequest as exc:
        if exc.status != 400 or exc.field is not None:
            raise
        return ()


def _more_announced(page: JobPage, seen: int) -> bool:
    """True when totalRecords counts all matches (not this page) and more than we have seen."""
    total = page.total_records
    return total is not None and total > seen and total != len(page.jobs)
