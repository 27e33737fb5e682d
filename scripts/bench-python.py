#!/usr/bin/env python3
"""Speed of the Python package, in ONE run on one machine (docs/BENCHMARKS.md, "Python and C
bindings"):

1. the native `ikd_core::Verifier::verify` (the ikd-wasm example `native_verify`, release build)
   against `ikd.Verifier.verify` from Python over the same texts (the VALID trust-store
   credential vectors), microseconds per verification, fastest of five batches;
2. `ikd.Verifier.verify` on the typical-woman credential against `claim169.decode_with_ed25519`
   on a Claim 169 credential of the same reference resident (../shared/reference), both
   verifying an Ed25519 signature and returning the claims;
3. verifications per second with 1 thread and with 2 threads sharing one Verifier (the GIL is
   released while verifying).

Run it with the interpreter that has `ikd` installed (scripts/test-python.sh makes one):

    target/python-venv/bin/python scripts/bench-python.py [ROUNDS]

It installs claim169 (PyPI, 0.3.0) into that interpreter's environment when missing. Prints
a report and one JSON line.
"""

import json
import os
import pathlib
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASES = ROOT / "test-vectors" / "cases"
# ../shared beside the checkout (IKD_SHARED_DIR to point elsewhere); a worktree looks higher up.
_SHARED = [pathlib.Path(os.environ["IKD_SHARED_DIR"])] if os.environ.get("IKD_SHARED_DIR") else []
_SHARED += [p / "shared" for p in ROOT.parents]
REFERENCE = next((d / "reference" / "residents.json" for d in _SHARED if (d / "reference").is_dir()), None)
CLAIM169_VERSION = "0.3.0"


def best_of(batches, n, fn):
    """Microseconds per call: the fastest of `batches` batches of `n` calls."""
    best = float("inf")
    for _ in range(batches):
        t0 = time.perf_counter()
        fn(n)
        best = min(best, (time.perf_counter() - t0) * 1e6 / n)
    return best


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs, Linux {platform.release()}, Python {platform.python_version()}"


def vector_cases():
    """The texts native_verify times: VALID, trust store, no seen_before/policy/challenge."""
    out = []
    for p in sorted(CASES.glob("*.json")):
        c = json.loads(p.read_text(encoding="utf-8"))
        i = c["input"]
        if (
            c["expected"]["verdict"] == "VALID"
            and c.get("trust_store")
            and "seen_before" not in i
            and "policy" not in i
            and "challenge" not in i
        ):
            out.append(c)
    return out


def clock(c):
    return datetime.fromisoformat(c["clock"].replace("Z", "+00:00")).timestamp()


def native(rounds):
    cmd = ["cargo", "run", "--quiet", "--release", "-p", "ikd-wasm", "--example", "native_verify", "--", str(rounds)]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def claim169_module():
    try:
        import claim169  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"claim169=={CLAIM169_VERSION}"], check=True)
    import claim169

    return claim169


def claim169_text(claim169, resident, now):
    """A Claim 169 credential (CWT, COSE_Sign1 Ed25519, zlib, Base45) of the same resident."""
    c = resident["claims"]
    inp = claim169.Claim169Input(id=c["nik"], full_name=c["nama"])
    inp.date_of_birth = c["tanggal_lahir"].replace("-", "")
    inp.gender = 2 if c["jenis_kelamin"] == "PEREMPUAN" else 1
    inp.address = f'{c["alamat"]} RT {c["rt"]}/RW {c["rw"]}, {c["kel_desa"]}, {c["kecamatan"]}, {c["kabupaten_kota"]}, {c["provinsi"]}'
    inp.nationality = "IDN" if c["kewarganegaraan"] == "WNI" else c["kewarganegaraan"]
    inp.marital_status = 2 if c["status_perkawinan"] == "KAWIN" else 1
    inp.location_code = c["nik"][:6]
    meta = claim169.CwtMetaInput(issuer="https://disdukcapil.example.invalid", expires_at=int(now) + 5 * 365 * 86400)
    meta.issued_at = int(now) - 86400
    meta.not_before = int(now) - 86400
    seed = bytes([0x11] * 32)
    # The Ed25519 public key of that RFC 8032 seed, read through ikd's key file format (no
    # other crypto library needed).
    import base64

    from ikd.issuing import SecretKey

    key_file = "IKD-SECRET-KEY-1\n" + base64.urlsafe_b64encode(seed).decode().rstrip("=") + "\n"
    public = SecretKey.from_file_text(key_file).public_key
    pub_bytes = base64.urlsafe_b64decode(public.split(":", 1)[1] + "=" * (-len(public.split(":", 1)[1]) % 4))
    return claim169.encode_with_ed25519(inp, meta, seed), pub_bytes


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    import ikd

    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }

    # 1. Native against Python over the same texts.
    cases = vector_cases()
    pairs = [(ikd.Verifier(c["trust_store"]), c["input"]["qr_text"], clock(c)) for c in cases]
    for v, t, now in pairs:
        assert v.verify(t, now)["verdict"] == "VALID"

    def py_batch(n):
        for _ in range(n // len(pairs)):
            for v, t, now in pairs:
                v.verify(t, now)

    # Native, Python, native, Python, native: the fastest of each.
    per = max(1, rounds // len(pairs))
    nats = [native(per)]
    py_us = float("inf")
    for _ in range(2):
        py_us = min(py_us, best_of(5, per * len(pairs), py_batch))
        nats.append(native(per))
    core_us = min(n["core_verify_us"] for n in nats)
    nat, nat2 = nats[0], min(nats, key=lambda n: n["binding_verify_us"])
    report.update(
        texts=len(pairs),
        native_core_verify_us=round(core_us, 2),
        native_binding_session_us=round(min(nat["binding_verify_us"], nat2["binding_verify_us"]), 2),
        python_verify_us=round(py_us, 2),
        python_over_native=round(py_us / core_us, 3),
    )

    # 2. The typical woman: ikd against claim169.
    claim169 = claim169_module()
    woman = next(c for c in cases if c["name"] == "valid-typical-woman")
    if REFERENCE is None:
        sys.exit("bench-python: ../shared/reference/residents.json not found (set IKD_SHARED_DIR)")
    resident = next(r for r in json.loads(REFERENCE.read_text(encoding="utf-8"))["residents"] if r["case"] == "typical-woman")
    now = clock(woman)
    c169_text, c169_key = claim169_text(claim169, resident, time.time())
    decoded = claim169.decode_with_ed25519(c169_text, c169_key)
    assert decoded.is_verified() and decoded.claim169.full_name == "SITI NURHALIZA"
    wv = ikd.Verifier(woman["trust_store"])
    wt = woman["input"]["qr_text"]
    assert wv.verify(wt, now)["claims"]["nama"] == "SITI NURHALIZA"

    def ikd_woman(n):
        for _ in range(n):
            wv.verify(wt, now)

    def c169_woman(n):
        for _ in range(n):
            claim169.decode_with_ed25519(c169_text, c169_key)

    # Interleaved batches (ikd, claim169, ikd, …), the fastest of each: a busy machine slows both.
    ikd_us = c169_us = float("inf")
    for _ in range(7):
        ikd_us = min(ikd_us, best_of(1, rounds, ikd_woman))
        c169_us = min(c169_us, best_of(1, rounds, c169_woman))
    report.update(
        woman_ikd_chars=len(wt),
        woman_claim169_chars=len(c169_text),
        woman_ikd_verify_us=round(ikd_us, 2),
        woman_claim169_decode_with_ed25519_us=round(c169_us, 2),
        claim169_over_ikd=round(c169_us / ikd_us, 3),
        claim169_version=claim169.version(),
    )

    # 3. One thread against two, sharing one Verifier.
    def rate(threads, n):
        def work():
            for _ in range(n):
                wv.verify(wt, now)

        best = 0.0
        for _ in range(3):
            ts = [threading.Thread(target=work) for _ in range(threads)]
            t0 = time.perf_counter()
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            best = max(best, threads * n / (time.perf_counter() - t0))
        return best

    one = rate(1, rounds)
    two = rate(2, rounds)
    report.update(rate_1_thread=round(one), rate_2_threads=round(two), two_over_one=round(two / one, 3))

    print(f"date: {report['date']}\nmachine: {report['machine']} (load {report['load_average_1min_at_start']})")
    print(f"native Verifier::verify ({len(pairs)} texts): {core_us:.2f} us; Python Verifier.verify: {py_us:.2f} us "
          f"({py_us / core_us:.2f}x)")
    print(f"typical woman: ikd {ikd_us:.2f} us ({len(wt)} chars); claim169.decode_with_ed25519 {c169_us:.2f} us "
          f"({len(c169_text)} chars); claim169/ikd {c169_us / ikd_us:.2f}x")
    print(f"threads: 1 -> {one:.0f}/s, 2 -> {two:.0f}/s ({two / one:.2f}x)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
