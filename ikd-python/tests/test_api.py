"""The API around the vectors: errors and their codes, languages, masking, time, threads,
lists, issuing, and that secrets never show in repr."""

import base64
import json
import math
import threading
from datetime import datetime, timezone

import ikd
import ikd.issuing
import pytest

from conftest import case, now_of


def code_of(excinfo):
    assert isinstance(excinfo.value, ikd.IkdError)
    assert excinfo.value.message
    return excinfo.value.code


def test_a_valid_credential_gives_the_core_view(valid):
    v = ikd.Verifier(valid["trust_store"])  # a dict works as well as JSON text
    view = v.verify(valid["input"]["qr_text"], now_of(valid))
    assert view["verdict"] == "VALID" and view["code"] == "ok"
    assert view["kind"] == "credential" and view["lang"] == "id"
    # The core's one masking rule: all but the last four characters.
    assert view["claims"]["nik"] == "************0003"
    assert view["list_errors"] == []


def test_messages_are_indonesian_by_default_and_english_on_request(valid):
    v = ikd.Verifier(json.dumps(valid["trust_store"]))
    id_ = v.verify(valid["input"]["qr_text"], now_of(valid))
    en = v.verify(valid["input"]["qr_text"], now_of(valid), lang="en")
    assert en["lang"] == "en" and id_["message"] != en["message"]


def test_now_accepts_int_float_and_aware_datetime(valid):
    v = ikd.Verifier(valid["trust_store"])
    t = now_of(valid)
    for now in (int(t), t, datetime.fromtimestamp(t, timezone.utc)):
        assert v.verify(valid["input"]["qr_text"], now)["verdict"] == "VALID"
    # Far in the future the credential has expired: the time really is used.
    assert v.verify(valid["input"]["qr_text"], t + 40 * 365 * 86400)["code"] == "expired"


@pytest.mark.parametrize("now", [math.nan, math.inf, 1e300, "yesterday", datetime(2026, 11, 28)])
def test_an_unusable_time_is_bad_argument(valid, now):
    v = ikd.Verifier(valid["trust_store"])
    with pytest.raises(ikd.IkdError) as e:
        v.verify(valid["input"]["qr_text"], now)
    assert code_of(e) == "bad_argument"


def test_system_clock_is_used_without_now(valid):
    # The vectors' credentials are valid in late 2026: whatever today is, the answer is one of
    # the verdicts, with a code, and never an exception.
    view = ikd.Verifier(valid["trust_store"]).verify(valid["input"]["qr_text"])
    assert view["verdict"] in ("VALID", "INVALID", "UNDETERMINED") and view["code"]


@pytest.mark.parametrize(
    "store, code",
    [("{not json", "trust_bad_json"), ("[]", "trust_bad_json"), ('{"version": 2, "issuers": []}', "trust_unsupported_version")],
)
def test_a_bad_trust_store_raises_its_code(store, code):
    with pytest.raises(ikd.IkdError) as e:
        ikd.Verifier(store)
    assert code_of(e) == code


def test_a_bad_pinned_root_raises_a_key_code():
    c = case("trust-rotation-overlap-new-key")
    with pytest.raises(ikd.IkdError) as e:
        ikd.Verifier.from_trust_list(c["trust_list"]["text"], ["ikdpk1:not-a-key"])
    assert code_of(e).startswith("key_")


def test_an_unknown_policy_is_policy_unknown(valid):
    v = ikd.Verifier(valid["trust_store"])
    with pytest.raises(ikd.IkdError) as e:
        v.verify(valid["input"]["qr_text"], now_of(valid), policy="no-such-policy")
    assert code_of(e) == ikd.POLICY_UNKNOWN == "policy_unknown"


def test_a_bad_policy_file_raises_its_code(valid):
    v = ikd.Verifier(valid["trust_store"])
    with pytest.raises(ikd.IkdError) as e:
        v.verify(valid["input"]["qr_text"], now_of(valid), policies="{")
    assert code_of(e) == "policy_bad_json"


def test_a_builtin_policy_applies(valid):
    view = ikd.Verifier(valid["trust_store"]).verify(valid["input"]["qr_text"], now_of(valid), policy="apotek")
    assert view["policy"] == "apotek"
    assert any(r["check"] == "policy" for r in view["report"])


def test_an_oversized_text_is_invalid_and_decode_raises_it(valid):
    text = "IKD1:" + "A" * 100_000
    view = ikd.Verifier(valid["trust_store"]).verify(text, now_of(valid))
    assert (view["verdict"], view["code"]) == ("INVALID", "decode_too_large")
    with pytest.raises(ikd.IkdError) as e:
        ikd.decode(text)
    assert code_of(e) == "decode_too_large"


def test_decode_is_marked_unverified(valid):
    d = ikd.decode(valid["input"]["qr_text"], lang="en")
    assert d["verified"] is False and d["notice"]
    assert d["claims"]["nik"].endswith("0003") and d["claims"]["nik"].startswith("*")


def test_decode_refuses_a_presentation():
    c = case("presentation-live-nama-nik-age")
    with pytest.raises(ikd.IkdError) as e:
        ikd.decode(c["input"]["qr_text"])
    assert code_of(e) == "inspect_presentation"


def test_challenge_as_str_or_bytes():
    c = case("presentation-challenge-answered")
    for challenge in (c["input"]["challenge"], c["input"]["challenge"].encode()):
        v = ikd.Verifier(c["trust_store"])
        assert v.verify(c["input"]["qr_text"], now_of(c), challenge=challenge)["verdict"] == "VALID"


def test_a_challenge_of_the_wrong_type_is_bad_argument(valid):
    with pytest.raises(ikd.IkdError) as e:
        ikd.Verifier(valid["trust_store"]).verify(valid["input"]["qr_text"], now_of(valid), challenge=3.5)
    assert code_of(e) == "bad_argument"


def test_threads_verify_at_their_own_times(valid):
    """The time of a call is per thread: two threads verifying at once with different times
    never see each other's (one at the vector's clock: VALID, one 40 years on: expired)."""
    v = ikd.Verifier(valid["trust_store"])
    t = now_of(valid)
    results = {"ok": [], "late": []}

    def run(key, now):
        for _ in range(300):
            results[key].append(v.verify(valid["input"]["qr_text"], now)["code"])

    threads = [threading.Thread(target=run, args=("ok", t)), threading.Thread(target=run, args=("late", t + 1.3e9))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert set(results["ok"]) == {"ok"} and set(results["late"]) == {"expired"}


def test_trust_and_status_lists():
    c = case("status-revoked")
    tl = ikd.TrustList.verify(c["trust_list"]["text"], c["trust_list"]["root_keys"])
    assert tl.sequence >= 1 and len(tl) >= 1 and tl.trust_store()["issuers"]
    assert "TrustList" in repr(tl)
    sl = ikd.StatusList.verify_under(base64.b64decode(c["status_lists"][0]["base64"]), tl)
    assert len(sl) > 0 and sl.status(0) in ("valid", "revoked", "suspended")
    with pytest.raises(ikd.IkdError) as e:
        sl.status(len(sl) + 10)
    assert code_of(e) == "status_index_out_of_range"


def test_a_trust_list_under_the_wrong_root_is_refused():
    c = case("status-revoked")
    other = case("valid-typical-woman")["trust_store"]["issuers"][0]["public_key"]
    with pytest.raises(ikd.IkdError) as e:
        ikd.TrustList.verify(c["trust_list"]["text"], [other])
    assert code_of(e) == "trust_list_unknown_root"


def test_a_bad_status_list_is_refused_with_its_code():
    c = case("status-list-bad-signature")
    tl = ikd.TrustList.verify(c["trust_list"]["text"], c["trust_list"]["root_keys"])
    with pytest.raises(ikd.IkdError) as e:
        ikd.StatusList.verify_under(base64.b64decode(c["status_lists"][0]["base64"]), tl)
    assert code_of(e) == "status_bad_signature"


def test_the_list_holder_refuses_and_keeps_what_it_holds():
    c = case("status-revoked")
    holder = ikd.ListHolder(c["trust_list"]["root_keys"])
    assert holder.trust_list is None
    # Without a trust list no status list can be verified.
    with pytest.raises(ikd.IkdError) as e:
        holder.offer_status_list(base64.b64decode(c["status_lists"][0]["base64"]))
    assert code_of(e) == "status_issuer_not_trusted"
    bad = case("trust-list-bad-signature")
    with pytest.raises(ikd.IkdError) as e:
        ikd.ListHolder(bad["trust_list"]["root_keys"]).offer_trust_list(bad["trust_list"]["text"])
    assert code_of(e) == "trust_list_bad_signature"
    assert holder.offer_trust_list(c["trust_list"]["text"]) == "first"
    # Nothing held about status yet: the same credential is not checked for status.
    view = holder.verifier().verify(c["input"]["qr_text"], now_of(c))
    assert view["verdict"] == "VALID"


CLAIMS = {
    "nik": "3604055708900003", "nama": "SITI NURHALIZA", "tempat_lahir": "SERANG",
    "tanggal_lahir": "1990-08-17", "jenis_kelamin": "PEREMPUAN", "golongan_darah": "O",
    "alamat": "KP. CIKANDE GIRANG", "rt": "002", "rw": "005", "kel_desa": "CIKANDE",
    "kecamatan": "CIKANDE", "kabupaten_kota": "KABUPATEN SERANG", "provinsi": "BANTEN",
    "agama": "ISLAM", "status_perkawinan": "KAWIN", "pekerjaan": "MENGURUS RUMAH TANGGA",
    "kewarganegaraan": "WNI", "berlaku_hingga": "SEUMUR HIDUP",
}  # fmt: skip


def test_issuing_round_trip():
    key = ikd.issuing.SecretKey.generate()
    now = 1_795_000_000
    issued = ikd.issuing.issue(key, CLAIMS, serial=7, status_index=3, valid_days=365, now=now)
    assert issued["text"].startswith("IKD1:") and issued["serial"] == 7
    assert issued["expires_at"] - issued["valid_from"] == 365 * 86400
    store = {"version": 1, "issuers": [{"name": "TEST", "public_key": key.public_key,
             "not_before": "2020-01-01T00:00:00Z", "not_after": "2040-01-01T00:00:00Z"}]}  # fmt: skip
    view = ikd.Verifier(store).verify(issued["text"], now + 60, show_nik=True)
    assert view["verdict"] == "VALID" and view["claims"]["nama"] == "SITI NURHALIZA"
    # The key file round-trips; the secret is never in repr.
    text = key.to_file_text()
    again = ikd.issuing.SecretKey.from_file_text(text)
    assert again.public_key == key.public_key
    secret_line = [l for l in text.splitlines() if l and not l.startswith("#")][1]
    assert secret_line not in repr(key) and secret_line not in str(key)
    assert key.public_key in repr(key)


def test_issuing_errors_have_codes():
    key = ikd.issuing.SecretKey.generate()
    with pytest.raises(ikd.IkdError) as e:
        ikd.issuing.issue(key, dict(CLAIMS, tanggal_lahir="1991-08-17"), 1, 1)
    assert code_of(e) == "nik_birth_date_mismatch"
    with pytest.raises(ikd.IkdError) as e:
        ikd.issuing.issue(key, CLAIMS, 1, 1, valid_days=0)
    assert code_of(e) == "issue_valid_days_out_of_range"
    with pytest.raises(ikd.IkdError) as e:
        ikd.issuing.SecretKey.from_file_text("not a key file")
    assert code_of(e) == "key_wrong_format"
    with pytest.raises(ikd.IkdError) as e:
        ikd.issuing.issue(key, CLAIMS, 2**60, 1)
    assert code_of(e) == "bad_argument"


def test_issuing_is_behind_an_explicit_import():
    assert not hasattr(ikd, "issue") and not hasattr(ikd, "SecretKey")


def test_the_list_holder_follows_status_lists_and_refuses_a_rollback():
    """List 1 (index 7 suspended), then list 2 (lifted): a successor. List 1 again: a rollback,
    refused with its code, and the holder keeps list 2."""
    one, two = case("status-suspended"), case("status-suspension-lifted")
    assert one["trust_list"]["text"] == two["trust_list"]["text"]
    list1 = base64.b64decode(one["status_lists"][0]["base64"])
    list2 = base64.b64decode(two["status_lists"][0]["base64"])
    holder = ikd.ListHolder(one["trust_list"]["root_keys"])
    holder.offer_trust_list(one["trust_list"]["text"])
    now = now_of(one)
    assert holder.offer_status_list(list1, now) == "first"
    assert holder.verifier().verify(one["input"]["qr_text"], now)["code"] == one["expected"]["code"]
    assert holder.offer_status_list(list2, now) == "successor"
    assert holder.offer_status_list(list2, now) == "unchanged"
    assert holder.dropped_status_lists == []  # the core's drop path: ikd-core list_holder tests
    with pytest.raises(ikd.IkdError) as e:
        holder.offer_status_list(list1, now)
    assert code_of(e) == "status_rollback"
    view = holder.verifier().verify(two["input"]["qr_text"], now)
    assert (view["verdict"], view["code"]) == (two["expected"]["verdict"], two["expected"]["code"])


def test_the_list_holder_refuses_a_status_list_from_the_future():
    c = case("status-valid")
    holder = ikd.ListHolder(c["trust_list"]["root_keys"])
    holder.offer_trust_list(c["trust_list"]["text"])
    with pytest.raises(ikd.IkdError) as e:
        holder.offer_status_list(base64.b64decode(c["status_lists"][0]["base64"]), now_of(c) - 30 * 86400)
    assert code_of(e) == "status_issued_in_future"
