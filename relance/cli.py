"""The `relance` command: Relance's batch jobs plus Django's own management commands."""

import os
import sys

# sysexits' EX_TEMPFAIL: the database could not be reached; the same command may succeed later.
EXIT_DATABASE = 75
RELANCE_APPS = (
    "relance.banking",
    "relance.dunning",
    "relance.ledger",
    "relance.legal",
    "relance.reports",
    "relance.team",
    "relance.imports",
    "relance.web",
    "relance.demo",
    "relance.evidence",
    "relance.api",
    "relance.scoring",
    "relance.privacy",
    "relance.forecast",
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relance.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "relance"
    if len(argv) == 1 or argv[1] in {"-h", "--help", "help"} and len(argv) == 2:
        print_help()
        return
    from django.db import InterfaceError, OperationalError

    try:
        execute_from_command_line(argv)
    except (OperationalError, InterfaceError) as error:
        # The server down or restarted, the connection cut, a database locked or not migrated:
        # what the command had not committed is rolled back by the database. Said plainly,
        # with the database's own words, without a traceback.
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.stderr.write(
            f"relance {argv[1]} : erreur de la base de données : {detail}\n"
            "Ce qui n'était pas encore validé a été annulé. Relancez la commande quand la base "
            "répond (après `relance migrate` si une table manque).\n"
        )
        sys.exit(EXIT_DATABASE)


def print_help() -> None:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = get_commands()
    print("Usage: relance <command> [options]   (relance <command> --help for details)\n")
    print("Relance commands:")
    for name in sorted(commands):
        app = commands[name]
        if app in RELANCE_APPS:
            help_text = load_command_class(app, name).help.splitlines()[0]
            print(f"  {name:<16} {help_text}")
    others = sorted(name for name, app in commands.items() if app not in RELANCE_APPS)
    print("\nDjango commands (migrate, createsuperuser, runserver, ...):")
    print("  " + ", ".join(others))


if __name__ == "__main__":
    main()
