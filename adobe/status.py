"""Adobe Status API client (``ADOBE_STATUS_API_URL``, e.g. ``https://status.adobe.io/api/v1``).

Every call is a ``GET`` with ``Authorization: Bearer``, the fixed ``api_key=StatusAdobeIOClient``
query parameter and the same value as ``x-api-key`` (Adobe's newer samples use the header). Adobe
allows 50 requests per 5 seconds and answers 429 with ``Retry-After``, which the transport honours.
Status data is Adobe-wide, not per organization.

Event filters (``/events``, ``/events/incidents``, ``/events/maintenance``, ``/events/scheduled``)
are the spec's ``cloudIds``, ``environmentIds``, ``offeringIds``, ``productIds``, ``regionIds``,
``serviceIds``, ``search``, ``from``, ``to``, plus those of Adobe's newer samples: ``eventTypes``,
``locale``, ``status``, ``updateStart``, ``updateEnd``, ``myEvents``. Lists are sent as repeated
parameters (``productIds=1&productIds=2``), as the spec's ``style: form, explode: true`` says.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Unpack
from urllib.parse import quote

from adobe.dates import format_query_date
from adobe.errors import AdobeInvalidRequest
from adobe.http import TokenProvider, Transport, TransportOptions, authorized_request, decode_json
from adobe.models.events import (
    Events,
    Incident,
    Maintenance,
    parse_events,
    parse_incidents,
    parse_maintenances,
)
from adobe.models.status import (
    Cloud,
    EventType,
    Locale,
    MessageCatalog,
    Named,
    Product,
    parse_clouds,
    parse_event_types,
    parse_locales,
    parse_messages,
    parse_products,
    parse_regions,
)

logger = logging.getLogger(__name__)

STATUS_API_KEY = "StatusAdobeIOClient"


@dataclass(frozen=True)
class EventFilters:
    """Filters shared by the four events endpoints; empty ones are not sent."""

    cloud_ids: Sequence[str] = ()
    environment_ids: Sequence[str] = ()
    offering_ids: Sequence[str] = ()
    product_ids: Sequence[str] = ()
    region_ids: Sequence[str] = ()
    service_ids: Sequence[str] = ()
    search: str | None = None
    from_date: date | None = None
    to_date: date | None = None
    event_types: Sequence[str] = ()
    locale: str | None = None
    status: str | None = None
    update_start: datetime | int | None = None
    update_end: datetime | int | None = None
    my_events: bool | None = None

    def params(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for name, values in (
            ("cloudIds", self.cloud_ids),
            ("environmentIds", self.environment_ids),
            ("offeringIds", self.offering_ids),
            ("productIds", self.product_ids),
            ("regionIds", self.region_ids),
            ("serviceIds", self.service_ids),
            ("eventTypes", self.event_types),
        ):
            found.extend((name, value) for value in _values(values, name))
        if self.search:
            found.append(("search", self.search))
        if (self.from_date and self.to_date) and self.to_date < self.from_date:
            raise AdobeInvalidRequest("'to' is before 'from'", field="to")
        if self.from_date:
            found.append(("from", format_query_date(self.from_date)))
        if self.to_date:
            found.append(("to", format_query_date(self.to_date)))
        if self.locale:
            found.append(("locale", self.locale))
        if self.status:
            found.append(("status", self.status))
        if self.update_start is not None:
            found.append(("updateStart", _epoch(self.update_start)))
        if self.update_end is not None:
            found.append(("updateEnd", _epoch(self.update_end)))
        if self.my_events is not None:
            found.append(("myEvents", "true" if self.my_events else "false"))
        return found


class StatusClient:
    """Adobe Status registry and events, authenticated by ``token_provider``."""

    def __init__(
        self,
        *,
        base_url: str,
        token_provider: TokenProvider,
        timeout: float = 10.0,
        api_key: str = STATUS_API_KEY,
        **options: Unpack[TransportOptions],
    ):
        self.transport = Transport(base_url=base_url, timeout=timeout, **options)
        self._token_provider = token_provider
        self.api_key = api_key

    def __repr__(self) -> str:
        return f"StatusClient(base_url={self.transport.base_url!r})"

    # -- registry ------------------------------------------------------------------------------

    def clouds(
        self, *, cloud_ids: Sequence[str] = (), cloud_name: str | None = None
    ) -> tuple[Cloud, ...]:
        params = [("cloudId", value) for value in _values(cloud_ids, "cloud_ids")]
        if cloud_name:
            params.append(("cloudName", cloud_name))
        return parse_clouds(self._get("/clouds", params))

    def products(
        self,
        *,
        cloud_ids: Sequence[str] = (),
        product_ids: Sequence[str] = (),
        product_name: str | None = None,
    ) -> tuple[Product, ...]:
        params = [("cloudId", value) for value in _values(cloud_ids, "cloud_ids")]
        params += [("productId", value) for value in _values(product_ids, "product_ids")]
        if product_name:
            params.append(("productName", product_name))
        return parse_products(self._get("/products", params))

    def event_types(self) -> tuple[EventType, ...]:
        return parse_event_types(self._get("/eventTypes"))

    def regions(self) -> tuple[Named, ...]:
        return parse_regions(self._get("/regions"))

    def locales(self) -> tuple[Locale, ...]:
        return parse_locales(self._get("/locales"))

    def messages(
        self, locale: str | None = None, *, message_token: str | None = None
    ) -> tuple[MessageCatalog, ...]:
        """``/messages/{locale}`` (or ``/messages`` for every locale); cache the result."""
        params = [("messageToken", message_token)] if message_token else []
        if locale is None:
            return parse_messages(self._get("/messages", params))
        if not locale.strip():
            raise AdobeInvalidRequest("locale is empty", field="locale")
        return parse_messages(self._get(f"/messages/{quote(locale, safe='')}", params))

    # -- events --------------------------------------------------------------------------------

    def events(self, filters: EventFilters | None = None, **kwargs: Any) -> Events:
        """Ongoing incidents and maintenances (``/events``)."""
        return parse_events(self._get("/events", _filters(filters, kwargs)))

    def incidents(self, filters: EventFilters | None = None, **kwargs: Any) -> tuple[Incident, ...]:
        """Ongoing incidents; with ``from_date``/``to_date``, those of the past 40 days."""
        return parse_incidents(self._get("/events/incidents", _filters(filters, kwargs)))

    def maintenance(
        self, filters: EventFilters | None = None, **kwargs: Any
    ) -> tuple[Maintenance, ...]:
        """Ongoing maintenances (``/events/maintenance``)."""
        return parse_maintenances(self._get("/events/maintenance", _filters(filters, kwargs)))

    def scheduled(
        self, filters: EventFilters | None = None, **kwargs: Any
    ) -> tuple[Maintenance, ...]:
        """Upcoming scheduled maintenances (``/events/scheduled``)."""
        return parse_maintenances(self._get("/events/scheduled", _filters(filters, kwargs)))

    # -- plumbing ------------------------------------------------------------------------------

    def _get(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        response = authorized_request(
            self.transport,
            self._token_provider,
            "GET",
            path,
            headers={"x-api-key": self.api_key, "Accept": "application/json"},
            params=[("api_key", self.api_key), *(params or [])],
        )
        return decode_json(response)


def _filters(filters: EventFilters | None, kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """Filters as an EventFilters or as its keyword arguments (``product_ids=[...]``)."""
    if filters is not None and kwargs:
        raise TypeError("pass filters either as EventFilters or as keywords, not both")
    try:
        chosen = filters or EventFilters(**kwargs)
    except TypeError:
        raise TypeError(f"unknown event filter among {sorted(kwargs)}") from None
    return chosen.params()


def _values(values: Sequence[str] | str, name: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    cleaned = [str(value) for value in values if str(value).strip()]
    if len(cleaned) != len(values):
        raise AdobeInvalidRequest("ids cannot be empty", field=name)
    return cleaned


def _epoch(value: datetime | int) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise AdobeInvalidRequest("datetimes must be timezone-aware", field="updateStart")
        return str(int(value.timestamp()))
    return str(int(value))
