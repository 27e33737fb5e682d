#!/usr/bin/env python3
"""Speed of the Python package, in ONE run on one machine (docs/BENCHMARKS.md, "Python and C
bindings"):

1. the native `ikd_core::Verifier::verify` (the ikd-wasm example `native_verify`, release build)
   against `ikd.Verifier.verify` from Python over the same texts (the VALID trust-store
   credential vectors), microseconds per verification;
2. `ikd.Verifier.verify` on the typical-woman credential against `claim169.decode_with_ed25519`
   on a Claim 169 credential of the same reference resident (../shared/reference), both
   verifying an Ed25519 signature and returning the claims;
3. verifications per second with 1 thread and with 2 threads sharing one Verifier (the GIL is
   released while verifying).

The machine may be shared: the three comparisons are made ROUNDS times (default 9), each
round measuring both sides back to back (their order alternating), and the report gives the
median of the per-round ratios with their range, and the load average at the start and end.
Each round runs in a fresh process (Python and native alike): the Ed25519 check's speed
depends by up to about 20 % on where the process's stack happens to lie (its address modulo
4096, which address-space randomisation picks anew for every process; docs/BENCHMARKS.md), so
one process would fix one draw of it for every round.

Run it with the interpreter that has `ikd` installed (scripts/test-python.sh makes one):

    target/python-venv/bin/python scripts/bench-python.py [N] [ROUNDS]

N: verifications per batch (default 2000). It installs claim169 (PyPI, 0.3.0) into that
interpreter's environment when missing. Prints a report and one JSON line.
"""

import json
import os
import statistics
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


NATIVE = ROOT / "target" / "release" / "examples" / "native_verify"


def build_native():
    cmd = ["cargo", "build", "--quiet", "--release", "-p", "ikd-wasm", "--example", "native_verify"]
    subprocess.run(cmd, cwd=ROOT, check=True)


def native(rounds):
    """The native side, run as the built example (no cargo in the timed part)."""
    out = subprocess.run([str(NATIVE), str(rounds)], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def spread(values):
    """Median and range of per-round figures."""
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


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


def one_round(n, r, pairs, per, wv, wt, wnow, claim169, c169_text, c169_key):
    """One round: both sides of each comparison back to back, in alternating order."""

    def py_batch(count):
        for _ in range(count // len(pairs)):
            for v, t, now in pairs:
                v.verify(t, now)

    def ikd_woman(count):
        for _ in range(count):
            wv.verify(wt, wnow)

    def c169_woman(count):
        for _ in range(count):
            claim169.decode_with_ed25519(c169_text, c169_key)

    def rate(threads, count):
        def work():
            for _ in range(count):
                wv.verify(wt, wnow)

        ts = [threading.Thread(target=work) for _ in range(threads)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return threads * count / (time.perf_counter() - t0)

    out = {}
    if r % 2 == 0:
        out["nat"] = native(per)["core_verify_us"]
        out["py"] = best_of(3, per * len(pairs), py_batch)
        out["ikd"] = best_of(3, n // 3, ikd_woman)
        out["c169"] = best_of(3, n // 3, c169_woman)
        out["one"] = rate(1, n)
        out["two"] = rate(2, n)
    else:
        out["py"] = best_of(3, per * len(pairs), py_batch)
        out["nat"] = native(per)["core_verify_us"]
        out["c169"] = best_of(3, n // 3, c169_woman)
        out["ikd"] = best_of(3, n // 3, ikd_woman)
        out["two"] = rate(2, n)
        out["one"] = rate(1, n)
    return out


def setup(n, claim169):
    """The verifiers and texts of a round (the same in every process)."""
    import ikd

    cases = vector_cases()
    pairs = [(ikd.Verifier(c["trust_store"]), c["input"]["qr_text"], clock(c)) for c in cases]
    for v, t, now in pairs:
        assert v.verify(t, now)["verdict"] == "VALID"
    per = max(1, n // len(pairs))
    woman = next(c for c in cases if c["name"] == "valid-typical-woman")
    if REFERENCE is None:
        sys.exit("bench-python: ../shared/reference/residents.json not found (set IKD_SHARED_DIR)")
    resident = next(r for r in json.loads(REFERENCE.read_text(encoding="utf-8"))["residents"] if r["case"] == "typical-woman")
    wnow = clock(woman)
    c169_text, c169_key = claim169_text(claim169, resident, time.time())
    decoded = claim169.decode_with_ed25519(c169_text, c169_key)
    assert decoded.is_verified() and decoded.claim169.full_name == "SITI NURHALIZA"
    wv = ikd.Verifier(woman["trust_store"])
    wt = woman["input"]["qr_text"]
    assert wv.verify(wt, wnow)["claims"]["nama"] == "SITI NURHALIZA"
    return pairs, per, wv, wt, wnow, c169_text, c169_key


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--round":
        # One round in this (fresh) process: see the module docstring.
        n, r = int(sys.argv[2]), int(sys.argv[3])
        claim169 = claim169_module()
        pairs, per, wv, wt, wnow, c169_text, c169_key = setup(n, claim169)
        out = one_round(n, r, pairs, per, wv, wt, wnow, claim169, c169_text, c169_key)
        out.update(texts=len(pairs), woman_chars=len(wt), c169_chars=len(c169_text), c169_version=claim169.version())
        print(json.dumps(out))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 9

    build_native()
    claim169_module()
    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "n": n,
        "rounds": rounds,
    }
    nat_us, py_us, ikd_us, c169_us, one, two = [], [], [], [], [], []
    for r in range(rounds):
        res = subprocess.run([sys.executable, __file__, "--round", str(n), str(r)], check=True, capture_output=True, text=True)
        o = json.loads(res.stdout.strip().splitlines()[-1])
        nat_us.append(o["nat"])
        py_us.append(o["py"])
        ikd_us.append(o["ikd"])
        c169_us.append(o["c169"])
        one.append(o["one"])
        two.append(o["two"])
    pairs = range(o["texts"])
    wt = "x" * o["woman_chars"]
    c169_text = "x" * o["c169_chars"]

    class _Version:
        @staticmethod
        def version():
            return o["c169_version"]

    claim169 = _Version

    report.update(
        texts=len(pairs),
        native_core_verify_us=spread(nat_us),
        python_verify_us=spread(py_us),
        python_over_native=spread([p / q for p, q in zip(py_us, nat_us)]),
        woman_ikd_chars=len(wt),
        woman_claim169_chars=len(c169_text),
        woman_ikd_verify_us=spread(ikd_us),
        woman_claim169_decode_with_ed25519_us=spread(c169_us),
        claim169_over_ikd=spread([c / i for c, i in zip(c169_us, ikd_us)]),
        claim169_version=claim169.version(),
        rate_1_thread=spread(one),
        rate_2_threads=spread(two),
        two_over_one=spread([t / o for t, o in zip(two, one)]),
        load_average_at_end=[round(x, 2) for x in os.getloadavg()],
        per_round={
            "python_over_native": [round(p / q, 3) for p, q in zip(py_us, nat_us)],
            "claim169_over_ikd": [round(c / i, 3) for c, i in zip(c169_us, ikd_us)],
            "two_over_one": [round(t / o, 3) for t, o in zip(two, one)],
        },
    )

    def line(name, d, unit=""):
        return f"{name}: median {d['median']}{unit} (range {d['min']}-{d['max']})"

    print(f"date: {report['date']}\nmachine: {report['machine']}")
    print(f"load average (1, 5, 15 min) at start {report['load_average_at_start']}, "
          f"at end {report['load_average_at_end']}; {rounds} rounds of {n}")
    print(line(f"native Verifier::verify ({len(pairs)} texts)", report["native_core_verify_us"], " us"))
    print(line("Python Verifier.verify (same texts)", report["python_verify_us"], " us"))
    print(line("Python / native", report["python_over_native"]) + "  (goal <= 1.2)")
    print(line(f"typical woman, ikd verify ({len(wt)} chars)", report["woman_ikd_verify_us"], " us"))
    print(line(f"claim169.decode_with_ed25519 ({len(c169_text)} chars)",
               report["woman_claim169_decode_with_ed25519_us"], " us"))
    print(line("claim169 / ikd", report["claim169_over_ikd"]) + "  (goal > 1)")
    print(line("1 thread, verifications/s", report["rate_1_thread"]))
    print(line("2 threads, verifications/s", report["rate_2_threads"]))
    print(line("2 threads / 1 thread", report["two_over_one"]) + "  (goal close to 2)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
