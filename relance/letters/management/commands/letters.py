from django.core.management.base import BaseCommand, CommandError

from relance.letters import providers, services


class Command(BaseCommand):
    help = (
        "Registered letters sent electronically: record what the provider says of them.\n"
        "relance letters sync"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("sync", help="poll the status of letters sent electronically")

    def handle(self, *args, action, **options):
        provider = providers.provider()
        if provider is None:
            raise CommandError("RELANCE_REGISTERED_PROVIDER vide : mode manuel, rien à suivre")
        changed, failed = services.sync_electronic(provider)
        for letter in changed:
            status, on = letter.get_status_display(), letter.delivered_on
            self.stdout.write(f"{letter.provider_id} : {status} le {on:%d/%m/%Y}")
        for letter, reason in failed:
            self.stderr.write(f"{letter.provider_id} : {reason}")
        self.stdout.write(f"{len(changed)} changement(s), {len(failed)} échec(s)")
        if failed:
            raise CommandError("certaines lettres n'ont pas pu être suivies")
