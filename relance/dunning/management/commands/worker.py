"""`relance worker`: the process that keeps the outbox moving.

Every minute it sends what is pending (within the sending hours); once a day, at the run
hour, it runs the dunning of every company (relance.dunning.services.run_dunning, which
creates nothing the second time for the same date), then computes its risk scores
(relance.scoring.services.compute_scores) and, every RELANCE_FORECAST_RETRAIN_DAYS, retrains
its payment-date predictor (relance.forecast.services.train). SIGTERM or SIGINT: it finishes the
reminder in hand and exits 0.

Give each worker a stable --id (the host name by default, so run one worker per machine or
name them): at start, the reminders this id left in "sending" become "uncertain".
"""

import logging
import signal
import socket
import threading
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from relance.api.worker import tick as api_tick
from relance.dunning.sending import mark_uncertain, send_pending
from relance.ledger.models import Company

log = logging.getLogger("relance.worker")
TICK_SECONDS = 60


def local_now() -> datetime:
    return timezone.localtime()


def parse_hours(text: str) -> tuple[int, int]:
    """'8-19' -> (8, 19): sends from 08:00 up to 18:59."""
    try:
        start, end = (int(part) for part in text.split("-"))
    except ValueError:
        raise CommandError(
            f"--sending-hours: expected START-END, e.g. 8-19, not {text!r}"
        ) from None
    if not 0 <= start < end <= 24:
        raise CommandError(f"--sending-hours: {text!r} is not a range of hours within a day")
    return start, end


def parse_time(text: str) -> time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise CommandError(f"--run-at: expected HH:MM, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Run continuously: send pending reminders every minute, run the dunning once a day.\n"
        "relance worker [--once] [--run-at HH:MM] [--sending-hours 8-19] [--id NAME]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--run-at", default="06:00", help="daily dunning run (local time)")
        parser.add_argument("--sending-hours", default="8-19", help="send only within START-END")
        parser.add_argument("--id", dest="worker_id", default=socket.gethostname())

    def handle(self, *args, once, run_at, sending_hours, worker_id, **options):
        self.worker_id = worker_id
        self.run_at, self.hours = parse_time(run_at), parse_hours(sending_hours)
        self.stopping = threading.Event()
        self.last_run_on = None
        previous = {} if once else self.catch_signals()
        try:
            self.loop(once)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"worker {worker_id} stopped")

    def catch_signals(self) -> dict:
        """SIGTERM, SIGINT: finish the reminder in hand, then leave the loop (exit 0)."""
        return {
            signum: signal.signal(signum, lambda *_: self.stopping.set())
            for signum in (signal.SIGTERM, signal.SIGINT)
        }

    def loop(self, once: bool) -> None:
        worker_id = self.worker_id
        left = mark_uncertain(timezone.now(), worker_id=worker_id)
        if left:
            log.warning("%s: %d reminder(s) left in sending are now uncertain", worker_id, left)
        while not self.stopping.is_set():
            self.round(local_now())
            if once:
                break
            self.stopping.wait(TICK_SECONDS - local_now().second)

    def round(self, moment: datetime) -> None:
        """One minute of work; an error is logged and the next round tries again. A database
        connection that failed (the server restarted, the network cut) is closed first, as
        Django does before each request, so the round reconnects instead of failing forever."""
        _close_dead_connections()
        try:
            if moment.time() >= self.run_at and self.last_run_on != moment.date():
                self.run_dunning(moment)
                self.weekly_reports(moment)
            if self.hours[0] <= moment.hour < self.hours[1]:
                counts = send_pending(self.worker_id, should_stop=self.stopping.is_set)
                if counts.claimed or counts.uncertain:
                    log.info("%s: %s", self.worker_id, counts.as_dict())
            api_tick(self.worker_id)  # webhooks, at any hour (relance.api.worker)
        except Exception:
            log.exception("%s: round failed, next round in a minute", self.worker_id)

    def weekly_reports(self, moment: datetime) -> None:
        """Each company's weekly report by e-mail to its managers, on the first daily run of
        the week, once per company and week whatever the workers (relance.reports.weekly)."""
        from relance.reports.weekly import send_due_reports

        send_due_reports(lambda company: moment.astimezone(ZoneInfo(company.time_zone)).date())

    def run_dunning(self, moment: datetime) -> None:
        self.last_run_on = moment.date()
        try:
            from relance.dunning.services import run_dunning
        except ImportError:
            log.warning("relance.dunning.services.run_dunning does not exist yet: no daily run")
            return
        for company in Company.objects.all():
            if self.stopping.is_set():
                return
            run_dunning(company, moment.astimezone(ZoneInfo(company.time_zone)).date())
            log.info("%s: dunning run for %s done", self.worker_id, company.code)
            self.score(company, moment)
            self.retrain_forecast(company, moment)

    # --- After the daily run: risk scores and their alerts (relance.scoring) -------------------

    def score(self, company: Company, moment: datetime) -> None:
        """Score the company's customers once its dunning run is done (the run may have
        blocked some); a failure is logged and never stops the next companies' runs."""
        from relance.scoring.services import compute_scores

        try:
            compute_scores(company, moment.astimezone(ZoneInfo(company.time_zone)).date())
        except Exception:
            log.exception("%s: scoring of %s failed", self.worker_id, company.code)

    # --- After the scores: the payment-date predictor (relance.forecast) ---------------------

    def retrain_forecast(self, company: Company, moment: datetime) -> None:
        """Retrain the company's payment-date predictor and predict its open items when the
        latest training is RELANCE_FORECAST_RETRAIN_DAYS old or more (0: never); a failure is
        logged and never stops the next companies' runs."""
        from relance.forecast.services import is_training_due, train

        today = moment.astimezone(ZoneInfo(company.time_zone)).date()
        try:
            if is_training_due(company, today, settings.RELANCE_FORECAST_RETRAIN_DAYS):
                train(company, today)
        except Exception:
            log.exception("%s: forecast training of %s failed", self.worker_id, company.code)


def _close_dead_connections() -> None:
    """Django's close_old_connections, except for a connection inside a transaction (a test's,
    or a caller's): closing it would end the transaction."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
