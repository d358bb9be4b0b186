"""`relance token create|list|revoke`: API tokens of a user, outside the web page."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from relance.api.models import ApiToken
from relance.api.tokens import create_token, revoke_token


class Command(BaseCommand):
    help = (
        "API tokens: create one for a user (printed once), list them, revoke one.\n"
        "relance token create --user USERNAME [--name NAME] [--expires-in-days N]"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token; its secret is printed once")
        create.add_argument("--user", required=True, help="username")
        create.add_argument("--name", default="ligne de commande", help="what it is for")
        create.add_argument("--expires-in-days", type=int, default=None)
        listing = actions.add_parser("list", help="a user's tokens (never their secrets)")
        listing.add_argument("--user", required=True, help="username")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("--id", type=int, required=True, dest="token_id")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_create(self, user, name, expires_in_days, **options):
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days : au moins 1 jour")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            token, secret = create_token(_user(user), name, expires_at=expires_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(f"jeton n° {token.pk} « {token.name} » pour {user} ; conservez-le :")
        self.stdout.write(secret)

    def do_list(self, user, **options):
        for token in ApiToken.objects.filter(user=_user(user)):
            state = "révoqué" if token.revoked_at else ("actif" if token.is_active() else "expiré")
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "jamais"
            self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t{used}")

    def do_revoke(self, token_id, **options):
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"jeton inconnu : {token_id}")
        revoke_token(token)
        self.stdout.write(f"jeton n° {token.pk} révoqué")


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"utilisateur inconnu : {username}")
    return user
