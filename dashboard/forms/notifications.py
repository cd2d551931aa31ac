"""Notification choices: forms clean input, the services decide (style B.7)."""

from __future__ import annotations

from django import forms

from dashboard.models import NotificationTopic
from dashboard.services.notifications import webhook_url_clean
from dashboard.webhooks import WebhookRefused


def _clean_webhook(url: str) -> str:
    try:
        return webhook_url_clean(url)
    except WebhookRefused as exc:
        raise forms.ValidationError(str(exc)) from exc


class NotificationSettingForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label="Tell me about",
        choices=NotificationTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.BooleanField(label="By e-mail", required=False)
    email_digest = forms.BooleanField(
        label="As one daily digest instead of one e-mail each", required=False
    )
    webhook_url = forms.CharField(
        label="To a webhook (Slack-compatible)",
        required=False,
        max_length=2000,
        help_text="An https URL, such as a Slack incoming webhook. Leave empty to keep the one "
        "saved; it is stored encrypted and shown only by its host.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "placeholder": "https://"}),
    )
    webhook_remove = forms.BooleanField(label="Stop sending to my webhook", required=False)

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data["webhook_url"].strip()
        return _clean_webhook(url) if url else ""


class TeamWebhookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where it goes, e.g. #privacy-ops.")
    url = forms.CharField(
        label="Webhook URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"autocomplete": "off", "placeholder": "https://"}),
    )
    topics = forms.MultipleChoiceField(
        label="Tell the team about",
        choices=NotificationTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self) -> str:
        return _clean_webhook(self.cleaned_data["url"])
