"""End to end on the demo generator's portfolio: `relance generate` (its natural share of open
invoices, not the benchmark's forced 30 %), then `relance score`; the scores rank the payer
profiles the generator gave its customers as a person would."""

import json
import statistics
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from relance.scoring.models import Score

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_scores_rank_the_generated_payer_profiles():
    run("company", "create", "--code", "GEN", "--name", "Gen SAS")
    run("generate", "--company", "GEN", "--customers", "150", "--invoices", "3000",
        "--as-of", "2026-03-01", "--seed", "7", "--open-share", "0")  # fmt: skip
    summary = json.loads(run("score", "--company", "GEN", "--date", "2026-03-01", "--format",
                             "json"))  # fmt: skip
    assert summary["customers"] == 150 and summary["written"] == 150
    scores, agree = defaultdict(list), defaultdict(list)
    for row in Score.objects.select_related("customer"):
        profile = row.customer.payer_profile
        scores[profile].append(row.score)
        agree[profile].append(row.suggested_profile == profile)
    median = {profile: statistics.median(values) for profile, values in scores.items()}
    assert median["automatic"] >= median["good"] > median["negligent"] > median["bad"]
    assert median["insolvent"] < median["negligent"]
    assert median["good"] >= 70 and median["bad"] < 50  # low risk, high or medium risk
    # direct debits are recognised whatever the SIREN
    assert sum(agree["automatic"]) >= 0.8 * len(agree["automatic"])
