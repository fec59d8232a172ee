"""Review-request campaigns: who is due an email now, the email itself, and a run that records every send.

Everyone in the window is asked, whatever they might say: asking only happy customers is review
gating. Defaults follow the widgets notes: first ask 30 to 90 days after the first purchase, at most
two reminders a week apart, never a new request to the same person within 180 days.
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlmodel import col, select

from storage import Database, utcnow
from storage.models import Brand
from storage.public import CampaignCustomer, ReviewRequest


@dataclass(frozen=True)
class Policy:
    """When to ask: the window after the first purchase, reminders, and the frequency cap."""

    window_start_days: int = 30
    window_end_days: int = 90
    reminders: int = 2
    reminder_gap_days: int = 7
    cap_days: int = 180


@dataclass
class RunResult:
    sent: int = 0
    reminders: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def token_hash(token: str) -> str:
    """What is stored of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def due_attempt(customer: CampaignCustomer, history: Sequence[ReviewRequest], now: datetime,
                policy: Policy = Policy()) -> int | None:
    """The attempt due now (0 = first request, 1.. = reminders), or None when nothing may be sent."""
    if customer.unsubscribed_at is not None:
        return None
    sent = [request for request in history if request.status == "sent"]
    if sent:
        started = max(request.sequence_started_at for request in sent)
        if now - started < timedelta(days=policy.cap_days):
            sequence = [request for request in sent if request.sequence_started_at == started]
            if any(request.used_at for request in sequence) or len(sequence) > policy.reminders:
                return None
            last = max(request.sent_at for request in sequence)
            return len(sequence) if now - last >= timedelta(days=policy.reminder_gap_days) else None
    age = now - customer.first_purchase_at
    if timedelta(days=policy.window_start_days) <= age <= timedelta(days=policy.window_end_days):
        return 0
    return None


def build_request_email(brand: Brand, customer: CampaignCustomer, sender: str, base_url: str, token: str,
                        attempt: int) -> EmailMessage:
    """The plain-text request with a single-use review link and a one-click unsubscribe link."""
    review, unsubscribe = f"{base_url}/r/{token}", f"{base_url}/u/{token}"
    email = EmailMessage()
    subject = f"How was your experience with {brand.name}?"
    email["Subject"] = ("Reminder: " + subject if attempt else subject).replace("\r", " ").replace("\n", " ")
    email["From"] = sender
    email["To"] = formataddr((customer.name.replace("\r", " ").replace("\n", " "), customer.email))
    email["Message-ID"] = make_msgid()
    email["List-Unsubscribe"] = f"<{unsubscribe}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    greeting = f"Hi {customer.name}," if customer.name else "Hello,"
    email.set_content(
        f"{greeting}\n\nYou have been using {brand.name} for a while. Would you tell us, and other customers, "
        f"how it went? Good or bad, every honest review helps.\n\n{review}\n\n"
        f"This link works once. To get no more of these emails: {unsubscribe}\n")
    return email


def run_campaign(db: Database, brand: Brand, send: Callable[[EmailMessage], None], *, sender: str, base_url: str,
                 now: datetime | None = None, policy: Policy = Policy(), dry_run: bool = False) -> RunResult:
    """Send every due request and reminder for `brand`, recording each attempt, sent or failed."""
    now = now or utcnow()
    result = RunResult()
    with db.read() as session:
        customers = list(session.exec(select(CampaignCustomer).where(CampaignCustomer.brand_id == brand.id)
                                      .order_by(col(CampaignCustomer.id))))
        ids = [customer.id for customer in customers]
        history: dict[int, list[ReviewRequest]] = {}
        for request in session.exec(select(ReviewRequest).where(col(ReviewRequest.customer_id).in_(ids))):
            history.setdefault(request.customer_id, []).append(request)
    for customer in customers:
        past = history.get(customer.id or 0, [])
        attempt = due_attempt(customer, past, now, policy)
        if attempt is None:
            continue
        if dry_run:
            result.sent += attempt == 0
            result.reminders += attempt > 0
            continue
        token = secrets.token_urlsafe(24)
        started = now if attempt == 0 else max(r.sequence_started_at for r in past if r.status == "sent")
        record = ReviewRequest(customer_id=customer.id or 0, sequence_started_at=started, attempt=attempt, sent_at=now,
                               token_hash=token_hash(token))
        try:
            send(build_request_email(brand, customer, sender, base_url, token, attempt))
        except Exception as error:  # noqa: BLE001 (any delivery failure is recorded, the run goes on)
            record.status, record.error = "failed", f"{type(error).__name__}: {error}"[:500]
            result.failed += 1
            result.errors.append(f"{customer.email}: {record.error}")
        else:
            result.sent += attempt == 0
            result.reminders += attempt > 0
        with db.write() as session:
            session.add(record)
    return result


def read_customers(rows: Iterable[str]) -> list[tuple[str, str, datetime]]:
    """(email, name, first purchase) from CSV lines with a header `email,name,first_purchase` (YYYY-MM-DD)."""
    customers = []
    for number, row in enumerate(csv.DictReader(rows), start=2):
        email = (row.get("email") or "").strip().lower()
        if "@" not in email or any(c in email for c in " \r\n,<>"):
            raise ValueError(f"line {number}: not one email address: {email!r}")
        try:
            day = date.fromisoformat((row.get("first_purchase") or "").strip())
        except ValueError:
            raise ValueError(f"line {number}: first_purchase must be a date like 2026-08-31") from None
        customers.append((email, (row.get("name") or "").strip()[:200], datetime.combine(day, time(), UTC)))
    return customers
