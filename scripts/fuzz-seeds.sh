#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets (docs/FUZZING.md) into fuzz/corpus/<target>/,
# extracted from the test vectors (test-vectors/cases/*.json and the PNG beside them), plus the
# small committed seeds in fuzz/seeds/<target>/.
#
# The photographed QR codes of ../shared/corpora/zxing-qrcode are NOT copied: scripts/fuzz.sh
# hands that directory to the image targets as a read-only second corpus directory.
#
# Usage: scripts/fuzz-seeds.sh [OUT_DIR]   (default fuzz/corpus)
# Needs python3 (standard library only). Re-running it is harmless: seed files are rewritten
# under stable names, and what the fuzzer added to the corpus is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-fuzz/corpus}"
mkdir -p "$out"

shopt -s nullglob
for dir in fuzz/seeds/*/; do
  t="$(basename "$dir")"
  mkdir -p "$out/$t"
  cp -f "$dir"* "$out/$t/"
done

# A WebP to start the thumbnail decoder from, if libwebp's example image is in the Cargo
# registry (it is once the `photo` feature was built: libwebp-sys vendors it, BSD licence).
webp="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -path '*libwebp-sys-*/vendor/examples/test.webp' 2>/dev/null | head -n 1 || true)"

python3 - "$out" "$webp" <<'PY'
import base64, glob, hashlib, json, os, struct, sys, zlib

out, webp = sys.argv[1], sys.argv[2]
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
count, seen = {}, set()

def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    if (target, data) in seen:
        return
    seen.add((target, data))
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:10]
    with open(os.path.join(d, f"seed-{name}-{h}"), "wb") as f:
        f.write(data)
    count[target] = count.get(target, 0) + 1

def base45(text):
    """The payload of an IKD1: text, or None (strict decoding as in ikd-core)."""
    text = text.strip("\r\n")
    if not text.startswith("IKD1:"):
        return None
    body = text[5:]
    try:
        digits = [VALUES[c] for c in body]
    except KeyError:
        return None
    outb = bytearray()
    for i in range(0, len(digits) - len(digits) % 3, 3):
        v = digits[i] + 45 * digits[i + 1] + 45 * 45 * digits[i + 2]
        if v > 0xFFFF:
            return None
        outb += struct.pack(">H", v)
    rest = digits[len(digits) - len(digits) % 3:]
    if len(rest) == 2:
        v = rest[0] + 45 * rest[1]
        if v > 0xFF:
            return None
        outb.append(v)
    elif len(rest) == 1:
        return None
    return bytes(outb)

def png_gray(path):
    """(width, height, pixels) of an 8-bit grayscale, non-interlaced PNG."""
    data = open(path, "rb").read()
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or color != 0 or interlace != 0:
                return None
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(w)
    for y in range(h):
        f, line = raw[y * (w + 1)], bytearray(raw[y * (w + 1) + 1:(y + 1) * (w + 1)])
        for x in range(w):
            a = line[x - 1] if x else 0
            b, c = prev[x], (prev[x - 1] if x else 0)
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows

def luma_seed(w, rows, thorough):
    return struct.pack("<H", (w - 1) | (0x8000 if thorough else 0)) + b"".join(rows)

texts, claims, stores, trust_lists, status_lists, policies = [], [], [], [], [], []
for path in sorted(glob.glob("test-vectors/cases/*.json")):
    case = json.load(open(path))
    name = case["name"]
    inp = case.get("input", {})
    for i, t in enumerate(inp.get("seen_before", []) + [inp.get("qr_text", "")]):
        texts.append((name, t, inp))
    for key in ("claims", "disclosed"):
        if case.get("expected", {}).get(key):
            claims.append((name, case["expected"][key]))
    if case.get("trust_store"):
        stores.append((name, case["trust_store"]))
    if case.get("trust_list"):
        trust_lists.append((name, case["trust_list"]["text"]))
    for sl in case.get("status_lists") or []:
        status_lists.append((name, base64.b64decode(sl["base64"])))
    if inp.get("policy"):
        policies.append((name, inp["policy"]))
    png = inp.get("png")
    if png:
        p = os.path.join("test-vectors/cases", png)
        raw = open(p, "rb").read()
        put("scan_image", name, raw)
        put("photo", name, raw)
        put("server_body", name + "-image", b"\x02" + raw)
        put("server_body", name + "-image-jpeg-route", b"\x07" + raw)
        form = (b"--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"qr.png\"\r\n"
                b"Content-Type: image/png\r\n\r\n" + raw + b"\r\n--XyZ--\r\n")
        put("server_body", name + "-multipart", b"\x03" + form)
        g = png_gray(p)
        if g:
            w, h, rows = g
            while w > 256 or h > 256:
                rows = [r[::2] for r in rows[::2]]
                w, h = len(rows[0]), len(rows)
            put("scan_luma", name + "-live", luma_seed(w, rows, False))
            put("scan_luma", name + "-thorough", luma_seed(w, rows, True))

for name, t, inp in texts:
    put("verify_text", name, t)
    payload = base45(t)
    if payload:
        if payload[0] == 0x02:
            put("presentation_payload", name, payload[1:])
        else:
            put("credential_payload", name, payload)
    body = {"qr": t}
    put("server_body", name + "-verify", b"\x00" + json.dumps(body).encode())
    if inp.get("policy") or inp.get("challenge"):
        body.update({"policy": (inp.get("policy") or {}).get("name", ""), "challenge": inp.get("challenge", "")})
    put("server_body", name + "-verify-en", b"\x06" + json.dumps(body).encode())
put("server_body", "batch", b"\x01" + json.dumps({"qrs": [t for _, t, _ in texts[:8]]}).encode())
put("server_body", "batch-policy", b"\x01" + json.dumps({"qrs": [t for _, t, _ in texts[-4:]], "policy": "hotel"}).encode())
put("server_body", "revoke", b"\x05" + b"1000001")

for name, c in claims:
    text = json.dumps(c)
    put("claims_json", name, text)
    put("server_body", name + "-issue", b"\x04" + json.dumps({"claims": c, "valid_days": 30}).encode())
for name, s in stores:
    put("trust_store_json", name, json.dumps(s, indent=2))
    for i in s.get("issuers", []):
        put("trust_store_json", name + "-key", i["public_key"])
for name, text in trust_lists:
    put("trust_list", name + "-file", b"\x00" + text.encode())
    put("trust_list", name + "-body", b"\x01" + text.encode().split(b"\n", 1)[0])
for name, raw in status_lists:
    put("status_list", name + "-file", b"\x00" + raw)
    put("status_list", name + "-body", b"\x01" + raw[37:-64])
for name, p in policies:
    put("policy_json", name, json.dumps([p]))
    put("policy_json", name + "-list", ",".join(p["required"]))
if webp and os.path.isfile(webp):
    put("photo", "libwebp-test", open(webp, "rb").read())

# strict_signature: a few messages to sign (mode bit 2) and a raw all-zero signature.
for k in range(4):
    put("strict_signature", f"signed-{k}", bytes([4 | k]) + b"\x00" * 65 + b"credential")
    put("strict_signature", f"flip-s-{k}", bytes([4 | k]) + b"\x00" * 63 + b"\x10" + b"message")
put("strict_signature", "raw-zero", b"\x00" + b"\x00" * 64 + b"m")

for t in sorted(count):
    print(f"{t}: {count[t]} seed files")
PY
