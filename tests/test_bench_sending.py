"""The sending benchmark (bench/sending.py) at a tiny size: the real daily run writes the
outbox, both the raw loop and `send_pending` reach a real SMTP server (another process), and
what the server received is checked and reported, on the database of the suite's pass."""

import os
import uuid
from contextlib import contextmanager

import psycopg

from bench.sending import _row
from bench.sending import run as run_sending

COUNT = 20
KEYS = {"operation", "seconds", "per_second", "peak_mb", "received", "connections",
        "recipients", "bytes_per_message", "note"}  # fmt: skip


@contextmanager
def fresh_database(tmp_path):
    """A new empty database on the engine of this pass: a SQLite file, or a database of its
    own in the PostgreSQL cluster of DATABASE_URL (scripts/test.py sets it)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'sending.sqlite3'}"
        return
    server, name = url.rsplit("/", 1)[0], f"bench_sending_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_both_loops_deliver_every_message_over_one_connection(tmp_path, capsys):
    with fresh_database(tmp_path) as database_url:
        result = run_sending(COUNT, database_url)

    assert result.get("note", "") == ""
    raw, product = result["rows"]
    for row in (raw, product):
        assert set(row) >= KEYS
        assert (row["received"], row["recipients"], row["connections"]) == (COUNT, COUNT, 1)
        assert row["seconds"] > 0 and row["peak_mb"] > 0
        assert not row["note"].startswith("failed")
    assert product["note"] == f"{COUNT} sent, 0 failed, 0 to retry, 0 cancelled"
    assert product["ratio"] == round(product["seconds"] / raw["seconds"], 2)
    # The limit sends the bytes of one of the product's messages: the same size, within the
    # few bytes of a customer number or a Message-ID.
    assert abs(product["bytes_per_message"] - raw["bytes_per_message"]) < 50
    printed = capsys.readouterr().out
    assert "relance send (send_pending)" in printed and "raw smtplib loop" in printed


def test_a_short_delivery_is_reported_as_failed():
    measured = {"seconds": 2.0, "peak_mb": 90.0, "note": "20 sent, 0 failed", "lines": 20}
    received = {"received": 19, "connections": 2, "recipients": 19, "bytes_per_message": 3600}

    row = _row("relance send (send_pending)", measured, received, 20)

    assert row["note"] == (
        "failed: the server received 19 of 20 messages; 2 connections instead of 1 "
        "(20 sent, 0 failed)"
    )
    assert row["per_second"] == 10


def test_a_step_that_raised_keeps_its_own_reason_first():
    measured = {"seconds": 0.1, "peak_mb": 90.0, "note": "failed: SMTPServerDisconnected: x"}
    received = {"received": 0, "connections": 1, "recipients": 0, "bytes_per_message": 0}

    row = _row("relance send (send_pending)", measured, received, 20)

    assert row["note"] == (
        "failed: SMTPServerDisconnected: x; the server received 0 of 20 messages"
    )
