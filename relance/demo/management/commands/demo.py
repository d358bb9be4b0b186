import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from relance.demo.bank import import_demo_statement
from relance.demo.services import DEMO_PASSWORD, DEMO_USERS, build_demo, replay_dunning
from relance.dunning.services import run_dunning


class Command(BaseCommand):
    help = (
        "Build the demo company (DEMO) with users for every role, then serve the web UI.\n"
        "Migrates the database first; an existing DEMO company is kept as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="seed of the generated portfolio")
        parser.add_argument("--no-serve", action="store_true", help="build, but start no server")
        parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1")

    def handle(self, *args, seed, no_serve, port, **options):
        call_command("migrate", verbosity=0, interactive=False)
        company, result = build_demo(timezone.localdate(), seed=seed)
        if result is not None and settings.RELANCE_LOCAL_OUTBOX:
            # Never with a real SMTP server: the demo's customers are invented.
            replayed = replay_dunning(company, timezone.localdate())
            self.stdout.write(f"Replayed 45 days of dunning: {replayed} reminders.")
        if result is not None:
            imported, matched = import_demo_statement(company, timezone.localdate(), seed)
            self.stdout.write(
                f"Bank statement: {imported.created.get('bank_lines', 0)} lines, "
                f"{len(matched.applied)} matched automatically, {len(matched.proposed)} proposed."
            )
        run = run_dunning(company)
        if not run.already_done:
            self.stdout.write(f"Dunning run of {run.run_on}: {len(run.reminders)} reminders.")
        if result is None:
            self.stdout.write(f"{company} already exists: data kept as it is.")
        else:
            counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
            self.stdout.write(f"Built {company}: {counts} in {result.seconds:.1f} s.")
        self.stdout.write(f"\nOpen http://127.0.0.1:{port}/ and log in as:\n")
        self.stdout.write(f"  {'user':<12} {'role':<12} password")
        for username, role, _first, _last in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role.value:<12} {DEMO_PASSWORD}")
        if not no_serve:
            self._serve(port)

    def _serve(self, port: int) -> None:
        """The web server, with a worker beside it that sends the reminders (to the local
        outbox when no SMTP server is configured) and runs the dunning every morning."""
        worker = subprocess.Popen([sys.executable, "-m", "relance", "worker", "--id", "demo"])
        self.stdout.write(f"Worker started (pid {worker.pid}).")
        try:
            # Without DEBUG, runserver serves static files only when told to (--insecure).
            call_command(
                "runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True
            )
        finally:
            worker.terminate()
            worker.wait(timeout=30)
