"""Resolving Adobe's title and message tokens through the cached ``/messages/{locale}``
catalogue."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings

from adobe import StatusClient
from status.models import StatusMessage
from status.services.registry import status_messages_refresh

logger = logging.getLogger(__name__)


class MessageBook:
    """Token -> text for the configured locale."""

    def __init__(self, texts: dict[str, str]):
        self._texts = texts

    def text(self, token: str | None) -> str:
        return self._texts.get(token or "", "")

    @staticmethod
    def _load(tokens: set[str]) -> dict[str, str]:
        rows = StatusMessage.objects.filter(
            locale=settings.LOOKOUT_STATUS_LOCALE, token__in=list(tokens)
        ).values_list("token", "text")
        return dict(rows)

    @classmethod
    def for_events(
        cls, *, client: StatusClient | None, events: Iterable[object], now: datetime
    ) -> MessageBook:
        """The texts these events need; the catalogue is fetched again (one request) only when a
        token is not in the cache, e.g. a custom message Adobe wrote during the incident."""
        tokens = {
            token
            for event in events
            for product in event.products  # type: ignore[attr-defined]
            for update in product.history
            for token in (update.title_token, update.message_token)
            if token
        }
        texts = cls._load(tokens)
        if client is not None and tokens - set(texts):
            logger.info(
                "Status: %d unknown message tokens; refreshing the catalogue",
                len(tokens - set(texts)),
            )
            status_messages_refresh(client=client, now=now)
            texts = cls._load(tokens)
        return cls(texts)
