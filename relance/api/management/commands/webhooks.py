"""`relance webhooks deliver`: send the due webhook deliveries once (the worker does it every
minute)."""

import json
import socket

from django.core.management.base import BaseCommand

from relance.api.webhooks.delivery import deliver_pending


class Command(BaseCommand):
    help = (
        "Webhooks: deliver the due events to the companies' endpoints once.\n"
        "relance webhooks deliver [--limit N] [--format json]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        deliver = actions.add_parser("deliver", help="deliver the due webhook events once")
        deliver.add_argument("--limit", type=int, default=None, help="at most N deliveries")
        deliver.add_argument("--format", choices=["text", "json"], default="text")
        deliver.add_argument("--id", dest="worker_id", default=f"cli-{socket.gethostname()}")

    def handle(self, *args, action, limit, format, worker_id, **options):
        counts = deliver_pending(worker_id, limit=limit).as_dict()
        if format == "json":
            self.stdout.write(json.dumps(counts))
            return
        self.stdout.write(
            "livrés : {delivered}, à réessayer : {retried}, en échec : {failed}".format(**counts)
        )
