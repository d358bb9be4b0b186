import json
import os
import socket

from django.core.management.base import BaseCommand

from relance.dunning.sending import send_pending


class Command(BaseCommand):
    help = (
        "Send the pending reminders of the outbox once, then print what was done.\n"
        "relance send [--limit N] [--format json]   (email only for now; other channels wait)"
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="send at most N reminders")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--worker-id",
            default=f"send:{socket.gethostname()}:{os.getpid()}",
            help="name written on the claimed reminders",
        )

    def handle(self, *args, limit, format, worker_id, **options):
        counts = send_pending(worker_id, limit=limit).as_dict()
        if format == "json":
            self.stdout.write(json.dumps(counts))
            return
        self.stdout.write(
            "{sent} sent, {cancelled} cancelled, {retried} to retry, {failed} failed, "
            "{uncertain} uncertain".format(**counts)
        )
        if counts["stopped_by_outage"]:
            self.stderr.write("SMTP server unreachable: stopped early, will retry")
