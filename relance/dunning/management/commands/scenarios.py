from django.core.management.base import BaseCommand, CommandError

from relance.dunning import services
from relance.ledger.models import Company


class Command(BaseCommand):
    help = "Dunning scenarios: `seed` creates the seven default ones (one per payer profile)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["seed"])
        parser.add_argument("--company", required=True, help="company code")

    def handle(self, *args, action, company, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        created = services.seed_default_scenarios(target)
        self.stdout.write(f"{target.code} : {len(created)} scénarios créés.")
        for scenario in created:
            self.stdout.write(f"  {scenario.name} ({scenario.steps.count()} étapes)")
