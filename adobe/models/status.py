"""Typed, immutable Adobe Status registry responses and their parsers (adobe-api.md §3.5-§3.6).

Adobe publishes no real Status payloads, only a schema, so the parsers require little (ids) and
accept much: ids as strings or numbers, enum values kept as strings (Adobe adds values without
notice). Titles and messages arrive as tokens; :class:`MessageCatalog` resolves them. Events
(incidents, maintenances) are in :mod:`adobe.models.events`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from adobe import _parse as p

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Named:
    """Any ``{id, name}`` item: cloud product, region, ..."""

    id: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Cloud:
    id: str
    name: str | None
    products: tuple[Named, ...]


@dataclass(frozen=True, slots=True)
class Environment:
    id: str
    name: str | None
    region_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Offering:
    id: str
    name: str | None
    service_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProductService:
    id: str
    name: str | None
    environment_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str | None
    environments: tuple[Environment, ...]
    offerings: tuple[Offering, ...]
    services: tuple[ProductService, ...]
    regions: tuple[Named, ...]


@dataclass(frozen=True, slots=True)
class Locale:
    code: str
    language_name: str | None


@dataclass(frozen=True, slots=True)
class Message:
    token: str
    text: str | None
    html: str | None


@dataclass(frozen=True, slots=True)
class MessageCatalog:
    """``/messages/{locale}``: incident and maintenance messages by token (read-only maps)."""

    language_code: str | None
    incident_messages: Mapping[str, Message]
    maintenance_messages: Mapping[str, Message]

    def text(self, token: str | None) -> str | None:
        """The plain text for ``token``, from either map; None when unknown."""
        if not token:
            return None
        message = self.incident_messages.get(token) or self.maintenance_messages.get(token)
        return message.text if message else None


@dataclass(frozen=True, slots=True)
class EventType:
    key: str
    label: str


def parse_clouds(data: Any) -> tuple[Cloud, ...]:
    return tuple(
        Cloud(
            id=p.req_id(c, "id", path),
            name=p.opt_str(c, "name", path),
            products=named_list(c, "cloudProducts", path),
        )
        for path, c in objects(data)
    )


def parse_products(data: Any) -> tuple[Product, ...]:
    products = []
    for path, item in objects(data):
        products.append(
            Product(
                id=p.req_id(item, "id", path),
                name=p.opt_str(item, "name", path),
                environments=tuple(
                    Environment(
                        p.req_id(e, "id", ep), p.opt_str(e, "name", ep), _ids(e, "regionId", ep)
                    )
                    for ep, e in objects(
                        p.opt_list(item, "environments", path), p.join(path, "environments")
                    )
                ),
                offerings=tuple(
                    Offering(
                        p.req_id(o, "id", op),
                        p.opt_str(o, "name", op),
                        _ids(o, "productServices", op),
                    )
                    for op, o in objects(
                        p.opt_list(item, "productOfferings", path), p.join(path, "productOfferings")
                    )
                ),
                services=tuple(
                    ProductService(
                        p.req_id(s, "id", sp),
                        p.opt_str(s, "name", sp),
                        _ids(s, "serviceEnvironments", sp),
                    )
                    for sp, s in objects(
                        p.opt_list(item, "productServices", path), p.join(path, "productServices")
                    )
                ),
                regions=named_list(item, "regions", path),
            )
        )
    return tuple(products)


def parse_regions(data: Any) -> tuple[Named, ...]:
    return tuple(
        Named(p.req_id(r, "id", path), p.opt_str(r, "name", path)) for path, r in objects(data)
    )


def parse_locales(data: Any) -> tuple[Locale, ...]:
    return tuple(
        Locale(
            code=p.req_str(item, "localeCode", path),
            language_name=p.opt_str(item, "languageName", path),
        )
        for path, item in objects(data)
    )


def parse_event_types(data: Any) -> tuple[EventType, ...]:
    body = p.obj(data, "")
    return tuple(EventType(key=str(k), label=p.req_str(body, k, "")) for k in body)


def parse_messages(data: Any) -> tuple[MessageCatalog, ...]:
    # The spec says MessagesDto[]; a lone object is read as a list of one.
    items = [data] if isinstance(data, Mapping) else data
    return tuple(
        MessageCatalog(
            language_code=p.opt_str(item, "languageCode", path),
            incident_messages=_message_map(item, "incidentMessages", path),
            maintenance_messages=_message_map(item, "maintenanceMessages", path),
        )
        for path, item in objects(items)
    )


def objects(data: Any, path: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    items = p.array(data, path)
    return [(p.join(path, i), p.obj(item, p.join(path, i))) for i, item in enumerate(items)]


def named_list(item: Mapping[str, Any], key: str, path: str) -> tuple[Named, ...]:
    return tuple(
        Named(p.req_id(n, "id", np), p.opt_str(n, "name", np))
        for np, n in objects(p.opt_list(item, key, path), p.join(path, key))
    )


def _ids(item: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    return p.str_tuple(item, key, path)


def _message_map(item: Mapping[str, Any], key: str, path: str) -> Mapping[str, Message]:
    messages = p.opt_obj(item, key, path) or {}
    found = {}
    for token, raw in messages.items():
        mp = p.join(p.join(path, key), str(token))
        message = p.obj(raw, mp)
        found[str(token)] = Message(
            token=p.opt_str(message, "token", mp) or str(token),
            text=p.opt_str(message, "textMessage", mp),
            html=p.opt_str(message, "htmlMessage", mp),
        )
    return MappingProxyType(found)
