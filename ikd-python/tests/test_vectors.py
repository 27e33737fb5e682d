"""Every test vector of test-vectors/cases through the package, as the WebAssembly package's
vectors.test.mjs does: trust store or signed trust list with status lists, policy, challenge,
seen_before (through one Verifier), the lists that failed, the verdict, the code and every
check's outcome; VALID credentials' claims and presentations' disclosed claims."""

import base64
import json

import ikd
import pytest

from conftest import CASES, now_of


def verifier_of(c):
    if c.get("trust_list"):
        lists = [base64.b64decode(s["base64"]) for s in c.get("status_lists") or []]
        return ikd.Verifier.from_trust_list(
            c["trust_list"]["text"].encode(), c["trust_list"]["root_keys"], lists, skew_seconds=c["skew_seconds"]
        )
    return ikd.Verifier(json.dumps(c["trust_store"]), skew_seconds=c["skew_seconds"])


def options_of(c):
    o = {}
    policy = c["input"].get("policy")
    if policy:
        o["policy"] = policy["name"]
        o["policies"] = json.dumps([policy])
    if "challenge" in c["input"]:
        o["challenge"] = c["input"]["challenge"]
    return o


def test_the_vector_set_is_all_there():
    assert len(CASES) >= 40


@pytest.mark.parametrize("c", CASES, ids=[c["name"] for c in CASES])
def test_vector(c):
    v = verifier_of(c)
    now = now_of(c)
    opts = options_of(c)
    assert [e["code"] for e in v.list_errors] == c["expected"].get("list_errors", [])
    for seen in c["input"].get("seen_before", []):
        assert v.verify(seen, now, **opts)["verdict"] == "VALID"
    view = v.verify(c["input"]["qr_text"], now, show_nik=True, **opts)
    assert view["verdict"] == c["expected"]["verdict"], view["code"]
    assert view["code"] == c["expected"]["code"]
    stages = c["expected"]["stages"]
    assert len(view["report"]) == len(stages)
    for r in view["report"]:
        assert r["outcome"] == stages[r["check"]], r["check"]
    assert view["list_errors"] == v.list_errors
    if "claims" in c["expected"]:
        # The view adds the derived age_over_* claims to the credential's own.
        own = {k: v for k, v in view["claims"].items() if not k.startswith("age_over_")}
        assert own == c["expected"]["claims"]
    if "disclosed" in c["expected"]:
        assert view["claims"] == c["expected"]["disclosed"]
    if view["verdict"] != "VALID":
        assert view["claims"] is None


# The trust-list vectors whose lists all verify (those with a failing list are refused by the
# holder, tested in test_api.py).
HELD = [c for c in CASES if c.get("trust_list") and not c["expected"].get("list_errors")]


def test_there_are_list_vectors():
    assert len(HELD) >= 10


@pytest.mark.parametrize("c", HELD, ids=[c["name"] for c in HELD])
def test_vector_through_a_list_holder(c):
    """The trust-list vectors again, with the lists given to a ListHolder first."""
    holder = ikd.ListHolder(c["trust_list"]["root_keys"])
    assert holder.offer_trust_list(c["trust_list"]["text"].encode()) == "first"
    assert holder.offer_trust_list(c["trust_list"]["text"].encode()) == "unchanged"
    for s in c.get("status_lists") or []:
        assert holder.offer_status_list(base64.b64decode(s["base64"]), now_of(c)) == "first"
    v = holder.verifier(skew_seconds=c["skew_seconds"])
    view = v.verify(c["input"]["qr_text"], now_of(c), **options_of(c))
    assert (view["verdict"], view["code"]) == (c["expected"]["verdict"], c["expected"]["code"])


@pytest.mark.parametrize("c", CASES, ids=[c["name"] for c in CASES])
def test_the_dict_is_the_views_json(c):
    """verify() builds its dict from the core's typed view directly (for speed): it must be
    exactly what json.loads makes of the view's JSON, keys in the same order."""
    now = now_of(c)
    opts = options_of(c)
    answers = []
    for call in ("verify", "verify_json"):
        v = verifier_of(c)  # a fresh verifier each: a live presentation is accepted once
        for seen in c["input"].get("seen_before", []):
            v.verify(seen, now, **opts)
        answers.append(getattr(v, call)(c["input"]["qr_text"], now, lang="en", photo=True, **opts))
    as_dict, as_json = answers[0], json.loads(answers[1])
    assert as_dict == as_json
    assert list(as_dict) == list(as_json)
    for key in ("credential", "issuer", "claims", "photo", "age_over"):
        if isinstance(as_json.get(key), dict):
            assert list(as_dict[key]) == list(as_json[key]), key
