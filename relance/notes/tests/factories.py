"""A note on the world's customer (relance.web.tests.factories.World), mentioning its admin."""

from relance.notes import services
from relance.team.models import Role


def note_records(world):
    """A collector's note mentioning the admin, built once per World."""
    if not hasattr(world, "note"):
        world.note = services.write_note(
            world.customer, world.user(Role.COLLECTOR), "@admin-acme : client à rappeler."
        )
    return world
