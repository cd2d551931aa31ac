"""Credentials: token health for every member; onboarding, testing and rotation for admins."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard import hooks
from dashboard.access import get_for_member, get_membership
from dashboard.background import paused_notice
from dashboard.filters import AuditFilterSet
from dashboard.forms.credentials import JWTCredentialForm, OAuthCredentialForm, SecretAddForm
from dashboard.models import ClientSecret, Credential, Membership
from dashboard.paging import page_number, page_of
from dashboard.selectors import (
    audit_actor_list,
    audit_event_list,
    credential_list_for_organization,
    credential_secret_list,
)
from dashboard.services.credentials import (
    credential_create,
    credential_delete,
    secret_add,
    secret_promote,
    secret_retire,
)
from dashboard.services.tokens import credential_test
from dashboard.spreadsheets import csv_lines

FORMS = {Credential.Kind.OAUTH: OAuthCredentialForm, Credential.Kind.JWT: JWTCredentialForm}
FIRST_SYNC_STARTED = (
    "Lookout started reading this organization's data from Adobe: the Privacy jobs page shows "
    "the sync's progress."
)


def _warn_if_paused(request: HttpRequest) -> bool:
    """After a save that queues background work (the first token refresh, the first syncs): say
    so if the queue could not take it; True if it could not."""
    if notice := paused_notice():
        messages.warning(request, notice)
        return True
    return False


@require_GET
def credential_list(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    credentials = credential_list_for_organization(organization_id=membership.organization_id)
    return render(
        request,
        "dashboard/credential_list.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "credentials": credentials,
        },
    )


def _credential_add(request: HttpRequest, org_code: UUID, kind: str) -> HttpResponse:
    membership = get_membership(request, org_code, admin=True)
    form_class = FORMS[kind]
    form = form_class(organization=membership.organization)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, organization=membership.organization)
        if form.is_valid():
            try:
                credential = credential_create(
                    organization=membership.organization,
                    data=form.to_input(),
                    created_by=request.user,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                # The organization's first syncs start now, not at beat's next due check.
                hooks.organization_ready_on_commit(membership.organization_id)
                messages.success(request, "Credential saved. Its secrets will not be shown again.")
                if not _warn_if_paused(request):
                    messages.info(request, FIRST_SYNC_STARTED)
                return redirect(credential)
        status = 400
    return render(
        request,
        "dashboard/credential_form.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "form": form,
            "kind": kind,
            "kind_label": Credential.Kind(kind).label,
        },
        status=status,
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def credential_add_oauth(request: HttpRequest, org_code: UUID) -> HttpResponse:
    return _credential_add(request, org_code, Credential.Kind.OAUTH)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def credential_add_jwt(request: HttpRequest, org_code: UUID) -> HttpResponse:
    return _credential_add(request, org_code, Credential.Kind.JWT)


def _render_detail(
    request, credential: Credential, membership: Membership, *, form=None, status=200
) -> HttpResponse:
    context = {
        "membership": membership,
        "organization": membership.organization,
        "credential": credential,
        "secrets": credential_secret_list(credential=credential),
        "events": audit_event_list(
            organization_id=membership.organization_id, credential_id=credential.pk
        )[:20],
        "secret_form": form or SecretAddForm(),
    }
    return render(request, "dashboard/credential_detail.html", context, status=status)


@require_GET
def credential_detail(request: HttpRequest, credential_code: UUID) -> HttpResponse:
    credential, membership = get_for_member(request, Credential.objects.all(), code=credential_code)
    return _render_detail(request, credential, membership)


@require_POST
def credential_test_connection(request: HttpRequest, credential_code: UUID) -> HttpResponse:
    credential, _ = get_for_member(
        request, Credential.objects.all(), admin=True, code=credential_code
    )
    outcome = credential_test(credential=credential, actor=request.user)
    if outcome.ok:
        messages.success(request, f"Connection works. {outcome.message}")
    elif outcome.in_progress:
        messages.info(request, outcome.message)
    else:
        messages.error(request, f"Connection failed. {outcome.message}")
    return redirect(credential)


@require_POST
def credential_remove(request: HttpRequest, credential_code: UUID) -> HttpResponse:
    credential, membership = get_for_member(
        request, Credential.objects.all(), admin=True, code=credential_code
    )
    credential_delete(credential=credential, actor=request.user)
    messages.success(request, f"Credential “{credential}” deleted.")
    return redirect("dashboard:credential_list", membership.organization.code)


@sensitive_post_parameters()
@require_POST
def secret_add_view(request: HttpRequest, credential_code: UUID) -> HttpResponse:
    credential, membership = get_for_member(
        request, Credential.objects.all(), admin=True, code=credential_code
    )
    form = SecretAddForm(request.POST)
    if form.is_valid():
        try:
            added = secret_add(credential=credential, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("secret", exc)
        else:
            messages.success(request, f"Secret {added.hint} added. Test the connection next.")
            _warn_if_paused(request)
            return redirect(credential)
    return _render_detail(request, credential, membership, form=form, status=400)


def _secret_action(request: HttpRequest, secret_code: UUID, action, done: str) -> HttpResponse:
    secret, _ = get_for_member(
        request,
        ClientSecret.objects.all(),
        admin=True,
        org_path="credential__organization",
        code=secret_code,
    )
    try:
        action(secret=secret, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Secret {secret.hint} {done}.")
    return redirect(secret.credential)


@require_POST
def secret_promote_view(request: HttpRequest, secret_code: UUID) -> HttpResponse:
    return _secret_action(request, secret_code, secret_promote, "is now tried first")


@require_POST
def secret_retire_view(request: HttpRequest, secret_code: UUID) -> HttpResponse:
    return _secret_action(request, secret_code, secret_retire, "retired and forgotten")


def _audit_filters(request: HttpRequest, organization_id: int) -> AuditFilterSet:
    people = audit_actor_list(organization_id=organization_id).values_list("pk", "username")
    return AuditFilterSet(request.GET or None, people=list(people))


@require_GET
def audit_log(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    filters = _audit_filters(request, membership.organization_id)
    events = filters.apply(audit_event_list(organization_id=membership.organization_id))
    page = page_of(
        events, number=page_number(request.GET), per_page=settings.LOOKOUT_AUDIT_PAGE_SIZE
    )
    return render(
        request,
        "dashboard/audit_log.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "events": page,
            "page": page,
            "form": filters.form,
        },
    )


AUDIT_CSV_HEADER = ["when_utc", "who", "action", "what", "credential", "detail"]


@require_GET
def audit_export(request: HttpRequest, org_code: UUID) -> StreamingHttpResponse:
    """The filtered log as CSV, every page of it (what the page shows, to every member)."""
    membership = get_membership(request, org_code)
    filters = _audit_filters(request, membership.organization_id)
    events = filters.apply(audit_event_list(organization_id=membership.organization_id))
    rows = (
        (
            event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_name,
            event.action,
            event.get_action_display(),
            event.credential_name,
            event.detail,
        )
        for event in events.iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        csv_lines(AUDIT_CSV_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
