"""Sending: `count` reminder e-mails to a local SMTP server, against the raw smtplib loop.

DESIGN.md: "hundreds of emails per second to a local SMTP server, one connection reused".
A child process (`python -m bench.sending --database-url ... --count N`, like the dashboard
step) builds, off the clock, a company of `count` customers, each with a billing contact and
one invoice five days overdue, and runs the real daily dunning, which writes `count` e-mail
reminders to the outbox. Then, each against its own SMTP server (aiosmtpd in another process,
`python -m bench.sending --serve`: it accepts, counts and forgets), each in a forked child
(bench.steps.measure: seconds and peak memory):

- the limit: smtplib alone, one connection, sending `count` times the bytes of one of those
  reminders (rendered and built by the e-mail channel once, off the clock, then rolled back);
- the product: `relance.dunning.sending.send_pending`, what `relance send` runs (claim by
  batches, re-check, render, build, send, record), through Django's SMTP backend.

The server's counts are checked: the product's row says "failed" unless the server received
exactly `count` messages over one connection.
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = 10_000
# DESIGN.md says "hundreds" per second: 200 is the fewest that are hundreds.
TARGET_RATE = 200
TARGET = f"≥{TARGET_RATE} msg/s, 1 connection"
WORKER = "bench-send"
BUILD_BATCH = 2_000  # rows per INSERT while building the ledger


# --- The orchestrator (in the bench process) ---------------------------------------------


def run(count: int = COUNT, database_url: str | None = None) -> dict:
    """Build and measure in a child process on `database_url` (a fresh, empty database:
    bench.dashboard.databases gives one); prints the table and returns the rows."""
    database_url = database_url or _fresh_sqlite(count)
    command = [sys.executable, "-m", "bench.sending", "--database-url", database_url,
               "--count", str(count)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        note = f"failed: {done.stderr.strip()[-600:]}"
        print(f"\nsending: not measured, {note}")
        return {"count": count, "rows": [], "note": note}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    _print(result["rows"], count)
    return {"count": count, "target": TARGET, **result}


def _fresh_sqlite(count: int) -> str:
    from .dashboard import databases

    return databases("sqlite", str(count), ROOT / "var" / "bench")("sending")


def _print(rows: list[dict], count: int) -> None:
    print(f"\nsending {count:,} reminder e-mails to a local SMTP server (aiosmtpd, another "
          f"process); ratio: seconds / the raw loop's")  # fmt: skip
    header = (
        f"{'operation':<34} {'messages':>9} {'seconds':>8} {'msg/s':>7} {'ratio':>6} "
        f"{'conn.':>5} {'bytes/msg':>9} {'peak MB':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = f"{row['ratio']:.2f}x" if row.get("ratio") else ""
        print(
            f"{row['operation']:<34} {row['received']:>9,} {row['seconds']:>8.2f} "
            f"{row['per_second'] or 0:>7,.0f} {ratio:>6} {row['connections']:>5} "
            f"{row['bytes_per_message']:>9,} {row['peak_mb']:>8.0f}  {row.get('target', '')}"
        )
        if row.get("note"):
            print(f"{'':<34} {row['note']}")


# --- One measurement (in its own process, on its own database) ---------------------------


def measure_one(count: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from . import steps

    call_command("migrate", verbosity=0, interactive=False)
    built = steps.measure(build, count)
    if built["note"].startswith("failed"):
        raise RuntimeError(f"building the outbox {built['note']}")
    sample = _sample_message()
    with smtp_server() as server:
        _point_django_at(server.port)
        raw = steps.measure(raw_loop, server.port, sample, count)
        raw_counts = server.counts()
    with smtp_server() as server:
        _point_django_at(server.port)
        product = steps.measure(send_outbox, WORKER)
        product_counts = server.counts()
    rows = [
        _row("raw smtplib loop (the limit)", raw, raw_counts, count),
        _row("relance send (send_pending)", product, product_counts, count),
    ]
    rows[0]["ratio"] = 1.0  # the limit itself
    rows[1]["ratio"] = round(rows[1]["seconds"] / rows[0]["seconds"], 2)
    rows[1]["target"] = TARGET
    return {"build_seconds": round(built["seconds"], 1), "rows": rows}


def _row(operation: str, measured: dict, received: dict, count: int) -> dict:
    """A table row; its note says "failed" when the server did not get exactly `count`
    messages over one connection, after the step's own reason when it raised."""
    row = {"operation": operation, **measured, **received}
    row["per_second"] = round(received["received"] / row["seconds"]) if row["seconds"] else None
    problems = []
    if received["received"] != count:
        problems.append(f"the server received {received['received']:,} of {count:,} messages")
    if received["connections"] != 1:
        problems.append(f"{received['connections']} connections instead of 1")
    if not problems:
        return row
    if row["note"].startswith("failed"):  # the step raised: its reason first
        row["note"] += "; " + "; ".join(problems)
    else:
        row["note"] = (
            "failed: " + "; ".join(problems) + (f" ({row['note']})" if row["note"] else "")
        )
    return row


def _point_django_at(port: int) -> None:
    """Django's SMTP backend (the e-mail channel) on the bench server; the forked steps
    inherit these settings."""
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.RELANCE_LOCAL_OUTBOX = False


# --- Building the outbox (off the clock) ---------------------------------------------------


def build(count: int) -> dict:
    """A company with `count` customers, each with a billing contact and one invoice five
    days overdue, then the real daily run, which writes one e-mail reminder per customer."""
    from django.contrib.auth import get_user_model

    from relance.dunning.models import Reminder
    from relance.dunning.services import local_today, run_dunning, seed_default_scenarios
    from relance.ledger.services import create_company

    company = create_company("SEND", "Envois Durand & Fils")
    seed_default_scenarios(company)
    collector = get_user_model().objects.create_user(
        "bench-collector", email="recouvrement@durand.example", first_name="Marie",
        last_name="Curie",
    )  # fmt: skip
    today = local_today(company)
    for start in range(0, count, BUILD_BATCH):
        _add_customers(company, collector, range(start, min(count, start + BUILD_BATCH)), today)
    run_dunning(company, today)
    pending = Reminder.objects.filter(
        company=company, status=Reminder.Status.PENDING, channel="email"
    ).count()
    if pending != count:
        raise RuntimeError(f"the run wrote {pending} pending e-mail reminders, not {count}")
    return {"lines": pending, "note": f"{pending} reminders pending for {today}"}


def _add_customers(company, collector, numbers: range, today) -> None:
    from relance.ledger.models import Contact, Customer, Invoice

    customers = Customer.objects.bulk_create(
        Customer(company=company, code=f"C{n:06}", name=f"Client {n} SARL", collector=collector)
        for n in numbers
    )
    Contact.objects.bulk_create(
        Contact(customer=customer, role=Contact.Role.BILLING, name="Service comptabilité",
                email=f"compta@client{n}.example")
        for n, customer in zip(numbers, customers, strict=True)
    )  # fmt: skip
    amount = Decimal("1234.56")
    Invoice.objects.bulk_create(
        Invoice(company=company, customer=customer, number=f"F2026-{n:06}", amount=amount,
                open_amount=amount, issued_on=today - timedelta(35), due_on=today - timedelta(5))
        for n, customer in zip(numbers, customers, strict=True)
    )  # fmt: skip


def _sample_message() -> dict:
    """One reminder as the e-mail channel sends it: rendered (its debtor link issued) and
    built into bytes, in a transaction rolled back, so the product starts from scratch."""
    from django.db import transaction

    from relance.dunning.channels.email import build_message
    from relance.dunning.models import Reminder
    from relance.dunning.render import render_reminder

    with transaction.atomic():
        reminder = Reminder.objects.select_related("company", "customer__collector").first()
        render_reminder(reminder)
        message = build_message(reminder, [], connection=None)
        sample = {
            "sender": parseaddr(message.from_email)[1],
            "recipients": message.recipients(),
            "data": message.message().as_bytes(linesep="\r\n"),
        }
        transaction.set_rollback(True)
    return sample


# --- The two measured steps (forked, see bench.steps.measure) -----------------------------


def raw_loop(port: int, sample: dict, count: int) -> int:
    """The limit: smtplib over one connection, the same bytes `count` times."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for _ in range(count):
            smtp.sendmail(sample["sender"], sample["recipients"], sample["data"])
    return count


def send_outbox(worker_id: str) -> dict:
    """The product: what `relance send` runs."""
    from relance.dunning.sending import send_pending

    counts = send_pending(worker_id)
    note = (
        f"{counts.sent} sent, {counts.failed} failed, {counts.retried} to retry, "
        f"{counts.cancelled} cancelled"
    )
    if counts.stopped_by_outage:
        note = f"failed: stopped by an outage; {note}"
    return {"lines": counts.sent, "note": note}


def _warm_sending(worker_id: str) -> dict:
    """What the sending worker already has imported (its first pass pays it once)."""
    from relance.dunning import render, sending  # noqa: F401
    from relance.dunning.channels import email  # noqa: F401
    from relance.portal import links  # noqa: F401

    return {}


send_outbox.prepare = _warm_sending  # type: ignore[attr-defined]


# --- The SMTP server (its own process) -------------------------------------------------------


class Counter:
    """aiosmtpd handler: accepts everything, keeps only counts (no message in memory)."""

    def __init__(self):
        self.connections = self.received = self.recipients = self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        self.recipients += len(envelope.rcpt_tos)
        self.bytes += len(envelope.original_content or b"")
        return "250 Message accepted"

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "connections": self.connections,
            "recipients": self.recipients,
            "bytes_per_message": self.bytes // self.received if self.received else 0,
        }


def serve() -> int:
    """Prints the port, then answers "counts" on stdin with a JSON line; stops on "stop" or
    at the end of stdin."""
    from tests.pg import free_port
    from tests.smtp import CountingController

    handler = Counter()
    controller = CountingController(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.connections = 0  # start() connects once itself
    print(json.dumps({"port": controller.port}), flush=True)
    for line in sys.stdin:
        if line.strip() == "counts":
            print(json.dumps(handler.as_dict()), flush=True)
        elif line.strip() == "stop":
            break
    controller.stop()
    return 0


class _Server:
    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.port = json.loads(self._line())["port"]

    def _line(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the bench SMTP server stopped")
        return line

    def counts(self) -> dict:
        self.process.stdin.write("counts\n")
        self.process.stdin.flush()
        return json.loads(self._line())


@contextmanager
def smtp_server() -> Iterator[_Server]:
    """The SMTP server in its own process: its work is not in the measured child's time
    nor memory, and it has a core of its own on a two-core machine."""
    command = [sys.executable, "-m", "bench.sending", "--serve"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield _Server(process)
    finally:
        if process.stdin and not process.stdin.closed:
            process.stdin.write("stop\n")
            process.stdin.close()
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sending", description=__doc__)
    parser.add_argument("--serve", action="store_true", help="only run the counting server")
    parser.add_argument("--database-url")
    parser.add_argument("--count", type=int, default=COUNT)
    args = parser.parse_args()
    if args.serve:
        return serve()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    print(json.dumps(measure_one(args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
