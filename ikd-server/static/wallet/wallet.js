// Dompet IKD: the resident's wallet (docs/WALLET.md). Every rule is the core's, through the
// WebAssembly modules: decoding a credential (decode), verifying it under the held trust list
// (verifyWithTrustList / verify), holding lists (decideTrustList), building live presentations
// (preparePresentation / finishPresentation, the holder signature made by WebCrypto Ed25519
// with a non-extractable key) and drawing QR codes (renderSvg, the core's renderer). This
// script parses input, calls the modules and shows the answers.
'use strict';

const T = {
  id: {
    title: 'Dompet IKD',
    tab_card: 'Kartu', tab_show: 'Tunjukkan', tab_history: 'Riwayat', tab_control: 'Kendali',
    start_title: 'Selamat datang',
    start_text: 'Dompet ini menyimpan kartu identitas digital Anda di ponsel ini saja. Langkah pertama: buat kunci ponsel.',
    make_key: 'Buat kunci ponsel',
    key_unsupported: 'Peramban ini tidak mendukung kunci Ed25519 WebCrypto, jadi dompet tidak dapat membuat kunci ponsel yang aman di sini. Gunakan Chrome/Chromium 137 atau lebih baru, Safari 17 atau Firefox 130.',
    enroll_title: 'Tunjukkan kode ini di loket penerbitan',
    enroll_text: 'Petugas memindai kode ini agar kartu Anda terikat ke ponsel ini.',
    go_import: 'Saya sudah menerima kartu: impor',
    import_title: 'Impor kartu', import_photo: 'Foto kode QR kartu', import_file: 'Buka berkas teks',
    import_paste: 'Atau tempel teks kartu (IKD1:…)', import_btn: 'Impor', back: 'Kembali',
    import_ok: 'Kartu tersimpan: tanda tangan penerbit {issuer} terverifikasi.',
    wallet_holder_mismatch: 'Kartu ini terikat ke kunci ponsel lain, bukan ke ponsel ini. Minta penerbit menerbitkan kartu dengan kode pendaftaran dompet ini.',
    wallet_not_bound: 'Kartu ini tidak terikat ke ponsel mana pun, jadi tidak dapat ditunjukkan sebagai kode langsung. Minta kartu yang terikat ke ponsel ini.',
    wallet_not_verified: 'Tanda tangan penerbit kartu ini tidak dapat diverifikasi dengan daftar kepercayaan yang disimpan dompet: {code}: {msg}',
    wallet_no_trust: 'Dompet belum menyimpan daftar kepercayaan. Buka dompet sekali dengan jaringan, lalu coba lagi.',
    wallet_not_credential: 'Ini bukan kartu IKD lengkap: {msg}',
    show_live: 'Tunjukkan kode QR langsung',
    show_static: 'Kode QR lengkap (untuk loket tanpa aplikasi)',
    static_note: 'Kode ini berisi seluruh data dan tidak kedaluwarsa: tunjukkan hanya bila perlu.',
    print_link: 'Kartu cetak', print_btn: 'Cetak',
    preset_label: 'Layanan', custom: 'Pilihan sendiri', claims_legend: 'Yang ditunjukkan',
    challenge_label: 'Kode tantangan dari loket (jika ada)',
    countdown: 'Kode baru dalam {s} detik', challenge_needed: 'Layanan ini meminta kode tantangan dari loket.',
    history_title: 'Riwayat (hanya di ponsel ini)', history_clear: 'Hapus riwayat', history_empty: 'Belum ada.',
    control_title: 'Kendali',
    lost_text: 'Jika ponsel hilang: datang ke kantor penerbit (Disdukcapil) dan minta kartu ini dicabut; setelah itu loket yang memeriksa daftar status menolaknya. Anda lalu membuat kunci baru di ponsel baru dan meminta kartu baru. Kunci tidak pernah meninggalkan ponsel ini, jadi tidak ada yang bisa dipulihkan dari cadangan.',
    delete_all: 'Hapus kartu dan kunci dari ponsel ini',
    delete_confirm: 'Hapus kartu dan kunci? Kartu ini tidak dapat ditunjukkan lagi dari ponsel ini.',
    key_info: 'Kunci ponsel: {k} (WebCrypto Ed25519, tidak dapat diekspor)',
    key_info_weaker: 'Kunci ponsel: {k} (kunci cadangan yang lebih lemah: dapat dibaca skrip halaman ini)',
    key_weaker: 'Peramban ini tidak mendukung kunci Ed25519 WebCrypto, jadi dompet memakai kunci cadangan yang lebih lemah: kunci ini disimpan di ponsel dan dapat dibaca oleh skrip halaman ini. Bila bisa, gunakan peramban yang lebih baru (Chrome/Chromium 137+, Safari 17+, Firefox 130+) dan buat kunci baru.',
    issuer: 'Penerbit: {n}', valid: 'Berlaku sampai {d}',
    trust_held: 'Daftar kepercayaan disimpan: urutan {s}, {f}.',
    online: 'Daring', offline: 'Luring: memakai data yang disimpan di ponsel',
    clock_banner: 'JAM UJI: jam dompet ini digeser {s} detik. Hanya untuk pengujian.',
    module_missing: 'Modul WebAssembly tidak dapat dimuat: {msg}',
    sees: {
      nama: 'nama lengkap Anda', nik: 'NIK Anda (16 angka)', age_over_17: 'apakah Anda berusia 17 tahun atau lebih (tanpa tanggal lahir)',
      foto: 'foto wajah Anda', age_over_21: 'apakah Anda berusia 21 tahun atau lebih', age_over_60: 'apakah Anda berusia 60 tahun atau lebih',
      jenis_kelamin: 'jenis kelamin', tanggal_lahir: 'tanggal lahir lengkap', tempat_lahir: 'tempat lahir',
      golongan_darah: 'golongan darah', agama: 'agama', status_perkawinan: 'status perkawinan', pekerjaan: 'pekerjaan',
      kewarganegaraan: 'kewarganegaraan', alamat: 'alamat lengkap (jalan, RT/RW, kelurahan, kecamatan, kota, provinsi)',
      berlaku_hingga: 'masa berlaku KTP'
    },
    sees_prefix: 'Loket akan melihat:', sees_always: 'dan selalu: penerbit, nomor seri kartu, dan bahwa kode ini dibuat di ponsel ini sekarang'
  },
  en: {
    title: 'IKD Wallet',
    tab_card: 'Card', tab_show: 'Show', tab_history: 'History', tab_control: 'Control',
    start_title: 'Welcome',
    start_text: 'This wallet keeps your digital ID card on this phone only. First step: make the phone key.',
    make_key: 'Make the phone key',
    key_unsupported: 'This browser does not support WebCrypto Ed25519 keys, so the wallet cannot make a safe phone key here. Use Chrome/Chromium 137 or later, Safari 17 or Firefox 130.',
    enroll_title: 'Show this code at the issuing counter',
    enroll_text: 'The officer scans this code so that your card is bound to this phone.',
    go_import: 'I have received my card: import',
    import_title: 'Import the card', import_photo: "Photo of the card's QR code", import_file: 'Open a text file',
    import_paste: 'Or paste the card text (IKD1:…)', import_btn: 'Import', back: 'Back',
    import_ok: "Card saved: the issuer's signature ({issuer}) verified.",
    wallet_holder_mismatch: "This card is bound to another phone's key, not to this phone. Ask the issuer to issue it with this wallet's enrollment code.",
    wallet_not_bound: 'This card is not bound to any phone, so it cannot be shown as a live code. Ask for a card bound to this phone.',
    wallet_not_verified: "The issuer's signature on this card cannot be verified with the trust list the wallet holds: {code}: {msg}",
    wallet_no_trust: 'The wallet holds no trust list yet. Open the wallet once with a network, then try again.',
    wallet_not_credential: 'This is not a full IKD card: {msg}',
    show_live: 'Show the live QR code',
    show_static: 'Full QR code (for counters without the app)',
    static_note: 'This code holds all your data and does not expire: show it only when needed.',
    print_link: 'Printable card', print_btn: 'Print',
    preset_label: 'Service', custom: 'My own choice', claims_legend: 'What is shown',
    challenge_label: "The counter's challenge code (if any)",
    countdown: 'New code in {s} seconds', challenge_needed: 'This service asks for a challenge code from the counter.',
    history_title: 'History (on this phone only)', history_clear: 'Clear the history', history_empty: 'None yet.',
    control_title: 'Control',
    lost_text: "If the phone is lost: go to the issuing office (Disdukcapil) and have this card revoked; counters that check the status list then refuse it. Then make a new key on the new phone and ask for a new card. The key never leaves this phone, so nothing can be restored from a backup.",
    delete_all: 'Delete the card and the key from this phone',
    delete_confirm: 'Delete the card and the key? This card can no longer be shown from this phone.',
    key_info: 'Phone key: {k} (WebCrypto Ed25519, not exportable)',
    key_info_weaker: "Phone key: {k} (a weaker fallback key: this page's scripts can read it)",
    key_weaker: "This browser has no WebCrypto Ed25519 keys, so the wallet uses a weaker fallback key: it is kept on the phone where this page's scripts can read it. If you can, use a newer browser (Chrome/Chromium 137+, Safari 17+, Firefox 130+) and make a new key.",
    issuer: 'Issuer: {n}', valid: 'Valid until {d}',
    trust_held: 'Trust list held: sequence {s}, {f}.',
    online: 'Online', offline: 'Offline: using the data kept on this phone',
    clock_banner: "TEST CLOCK: this wallet's clock is shifted by {s} seconds. For testing only.",
    module_missing: 'The WebAssembly module cannot be loaded: {msg}',
    sees: {
      nama: 'your full name', nik: 'your NIK (16 digits)', age_over_17: 'whether you are 17 or older (no birth date)',
      foto: 'your face photo', age_over_21: 'whether you are 21 or older', age_over_60: 'whether you are 60 or older',
      jenis_kelamin: 'sex', tanggal_lahir: 'full date of birth', tempat_lahir: 'place of birth',
      golongan_darah: 'blood type', agama: 'religion', status_perkawinan: 'marital status', pekerjaan: 'occupation',
      kewarganegaraan: 'citizenship', alamat: 'full address (street, RT/RW, village, district, city, province)',
      berlaku_hingga: "the ID card's validity"
    },
    sees_prefix: 'The counter will see:', sees_always: 'and always: the issuer, the card serial, and that this code was made on this phone just now'
  }
};
// The claim slots a holder can disclose (ikd_core::claims::slot::NAMES), in slot order.
const CLAIMS = ['nama', 'nik', 'age_over_17', 'foto', 'age_over_21', 'age_over_60', 'jenis_kelamin', 'tanggal_lahir',
  'tempat_lahir', 'golongan_darah', 'agama', 'status_perkawinan', 'pekerjaan', 'kewarganegaraan', 'alamat', 'berlaku_hingga'];
const REFRESH_SECS = 30;          // a new live code every 30 s, well inside the core's 90 s window
const HISTORY_MAX = 50;
const $ = (id) => document.getElementById(id);
let lang = localStorage.getItem('ikd-wallet-lang') === 'en' ? 'en' : 'id';
const t = (k) => T[lang][k] ?? T.id[k] ?? k;
const fill = (s, o) => s.replace(/\{(\w+)\}/g, (_, k) => String(o[k] ?? ''));

// Test hook (docs/WALLET.md): ?clock_offset_secs=N shifts the wallet's clock by N seconds
// (kept until ?clock_offset_secs=0), so that a test can make a code "from 10 minutes ago".
const clockOffset = (() => {
  const KEY = 'ikd-wallet-clock-offset-secs';
  const p = new URLSearchParams(location.search).get('clock_offset_secs');
  if (p !== null) {
    const n = Number(p);
    if (Number.isInteger(n) && n !== 0) localStorage.setItem(KEY, String(n)); else localStorage.removeItem(KEY);
  }
  const v = Number(localStorage.getItem(KEY) || 0);
  return Number.isInteger(v) ? v : 0;
})();
const nowSecs = () => Math.floor(Date.now() / 1000) + clockOffset;

// ---- IndexedDB: one object store "kv" ----
function openDb() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open('ikd-wallet', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('kv');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
let db;
function idb(mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('kv', mode);
    const req = fn(tx.objectStore('kv'));
    tx.oncomplete = () => resolve(req && req.result);
    tx.onerror = () => reject(tx.error);
  });
}
const get = (k) => idb('readonly', (s) => s.get(k));
const put = (k, v) => idb('readwrite', (s) => s.put(v, k));
const del = (k) => idb('readwrite', (s) => s.delete(k));

const b64ToBytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
// The `ikdpk1:` text of a raw Ed25519 public key (docs/FORMAT.md §7: base64url, no padding).
const ikdpk1 = (raw) => 'ikdpk1:' + btoa(String.fromCharCode(...raw)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

let wasm = null;      // the verification package
let reader = null;    // the reader/renderer module
const state = { key: null, credential: null, bundle: null, held: null, screen: null, liveTimer: null, countdownTimer: null };

function status(msg) { $('status').textContent = msg; }

// ---- QR drawing: the core's SVG, scaled to whole pixels per module ----
function drawQr(el, text, maxPx) {
  const r = reader.renderSvg(text, { ecLevel: 'M', lang });
  el.innerHTML = r.svg;
  const svg = el.querySelector('svg');
  const full = Number(svg.getAttribute('viewBox').split(' ')[2]);
  const avail = Math.min(maxPx || 9999, el.clientWidth || document.documentElement.clientWidth - 24);
  const dpr = window.devicePixelRatio || 1;
  // Whole device pixels per module (crisp edges), as large as fits. When the code with its
  // 4-module quiet zone is too wide for 3 device pixels a module, the drawing keeps 1 module
  // of it and the white page around the code (.qr's margin, main's padding) gives the rest.
  let n = full;
  if (Math.floor((avail * dpr) / full) < 3 && Math.floor((avail * dpr) / (full - 6)) >= 3) {
    n = full - 6;
    svg.setAttribute('viewBox', `3 3 ${n} ${n}`);
  }
  const dev = Math.max(2, Math.floor((avail * dpr) / n));
  const css = dev / dpr;
  svg.setAttribute('width', String(n * css));
  svg.setAttribute('height', String(n * css));
  el.dataset.text = text;
  el.dataset.version = String(r.version);
  el.dataset.modulePx = String(css);
  return r;
}

// ---- Screens ----
function show(name) {
  state.screen = name;
  document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.id !== 'screen-' + name; });
  document.querySelectorAll('#tabs button').forEach((b) => {
    if (b.dataset.screen === name) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  });
  $('tabs').hidden = !state.credential;
  document.documentElement.dataset.screen = name;
  stopLive();
  if (name === 'enroll') renderEnroll();
  if (name === 'card') renderCard();
  if (name === 'show') renderShow();
  if (name === 'history') renderHistory();
  if (name === 'control') renderControl();
  if (name === 'print') renderPrint();
}

function applyLang() {
  document.documentElement.lang = lang;
  document.title = t('title');
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll('.lang-btn').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
  const banner = $('clock-banner');
  if (clockOffset) { banner.textContent = fill(t('clock_banner'), { s: clockOffset }); banner.hidden = false; }
  if (state.screen) show(state.screen);
}

// ---- The key ----
// Test hook (docs/WALLET.md): ?webcrypto_ed25519=0 makes the wallet act as in a browser
// without WebCrypto Ed25519, so that a test can drive its weaker fallback key.
const noWebCryptoEd25519 = new URLSearchParams(location.search).get('webcrypto_ed25519') === '0';

async function makeKey() {
  let key;
  try {
    if (noWebCryptoEd25519) throw new Error('no WebCrypto Ed25519 (test hook)');
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    key = { kind: 'webcrypto-ed25519', privateKey: pair.privateKey, publicKey: pair.publicKey, text: ikdpk1(raw), created: nowSecs() };
  } catch (e) {
    // No WebCrypto Ed25519: a seed drawn by the browser's random source, kept in IndexedDB
    // and marked weaker (the page's scripts can read it); the reader module signs with it.
    try {
      await loadReader();
      const seed = crypto.getRandomValues(new Uint8Array(32));
      key = { kind: 'wasm-seed', weaker: true, seed, text: reader.holderKeyFromSeed(seed), created: nowSecs() };
    } catch (e2) {
      $('key-unsupported').textContent = t('key_unsupported');
      $('key-unsupported').hidden = false;
      document.documentElement.dataset.keyUnsupported = '1';
      return;
    }
  }
  await put('key', key);
  state.key = key;
  show('enroll');
}

// The holder signature of a presentation's signing bytes, by the key the wallet holds.
async function holderSign(bytes) {
  if (state.key.kind === 'wasm-seed') {
    await loadReader();
    return reader.signWithSeed(state.key.seed, bytes);
  }
  return new Uint8Array(await crypto.subtle.sign('Ed25519', state.key.privateKey, bytes));
}

// The enrollment code: `IKDHK1:` + the holder key's `ikdpk1:` text (docs/FORMAT.md §9).
const enrollText = () => 'IKDHK1:' + state.key.text;
function renderEnroll() {
  drawQr($('enroll-qr'), enrollText(), 320);
  $('enroll-text').textContent = enrollText();
  $('enroll-weaker').textContent = state.key.weaker ? t('key_weaker') : '';
  $('enroll-weaker').hidden = !state.key.weaker;
  document.documentElement.dataset.keyWeaker = state.key.weaker ? '1' : '';
}

// ---- Lists: the offline bundle, held by the core's rules ----
async function refreshBundle() {
  let offered;
  try {
    const r = await fetch('/v1/offline/bundle', { cache: 'no-store' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    offered = await r.json();
  } catch (e) {
    status(t('offline'));
    document.documentElement.dataset.online = '0';
    return;
  }
  document.documentElement.dataset.online = '1';
  status(t('online'));
  const held = state.held;
  const out = { mode: offered.mode, policies: offered.policies, trust_store: offered.trust_store, freshness_policy: offered.freshness_policy };
  if (offered.mode === 'trust_list' && offered.trust_list) {
    // The pinned roots: those the wallet was first given by its server (kept from then on).
    const pinned = held?.pinned_roots?.length ? held.pinned_roots : offered.pinned_roots;
    const a = wasm.decideTrustList(held?.trust_list ? b64ToBytes(held.trust_list.bytes) : null,
      b64ToBytes(offered.trust_list.bytes), pinned, nowSecs(), { lang, heldRoots: held?.roots ?? [] });
    if (a.accept) {
      Object.assign(out, { trust_list: offered.trust_list, pinned_roots: pinned, roots: a.roots, decision: a.decision, freshness: a.freshness });
    } else {
      Object.assign(out, { trust_list: held?.trust_list, pinned_roots: pinned, roots: held?.roots ?? [], refused: a.code });
    }
    out.status_lists = offered.status_lists || [];
  }
  state.held = out;
  await put('held', out);
  document.documentElement.dataset.listsReady = '1';
}

// Verifies a credential text under the held lists (the core's verification view).
function verifyHeld(text, extra) {
  const h = state.held;
  if (!h) return null;
  const opts = Object.assign({ lang, freshness: h.freshness_policy }, extra || {});
  if (h.mode === 'trust_list' && h.trust_list) {
    opts.statusLists = (h.status_lists || []).map((s) => b64ToBytes(s.bytes));
    return wasm.verifyWithTrustList(text, b64ToBytes(h.trust_list.bytes), [...h.pinned_roots, ...(h.roots || [])], nowSecs(), opts);
  }
  if (h.trust_store) return wasm.verify(text, JSON.stringify(h.trust_store), nowSecs(), opts);
  return null;
}

// ---- Import ----
function importResult(ok, code, msg) {
  const el = $('import-result');
  el.textContent = msg;
  el.dataset.ok = ok ? '1' : '0';
  el.dataset.code = code;
}

async function importText(raw) {
  const text = (raw || '').trim();
  let info;
  try {
    info = wasm.decode(text, { lang, photo: false });
  } catch (e) {
    importResult(false, e.code || 'decode_failed', fill(t('wallet_not_credential'), { msg: e.message }));
    return;
  }
  if (!info.holder_key) { importResult(false, 'wallet_not_bound', t('wallet_not_bound')); return; }
  if (info.holder_key !== state.key.text) { importResult(false, 'wallet_holder_mismatch', t('wallet_holder_mismatch')); return; }
  let v;
  try { v = verifyHeld(text); } catch (e) { v = { verdict: 'ERROR', code: e.code, message: e.message }; }
  if (!v) { importResult(false, 'wallet_no_trust', t('wallet_no_trust')); return; }
  // Kept only when the core says VALID: issuer known, signature and dates good, not revoked.
  if (v.verdict !== 'VALID') {
    importResult(false, 'wallet_not_verified', fill(t('wallet_not_verified'), { code: v.code, msg: v.message || v.reason || '' }));
    return;
  }
  await put('credential', { text, imported: nowSecs() });
  state.credential = { text, imported: nowSecs() };
  importResult(true, 'ok', fill(t('import_ok'), { issuer: v.issuer?.name || '' }));
  setTimeout(() => show('card'), 800);
}

async function importImage(file) {
  try {
    await loadReader();
    const texts = reader.readImage(new Uint8Array(await file.arrayBuffer()), { lang });
    $('import-text').value = texts[0];
    await importText(texts[0]);
  } catch (e) {
    importResult(false, e.code || 'image', e.message);
  }
}

// ---- Card ----
function renderCard() {
  if (!state.credential) return;
  const info = wasm.decode(state.credential.text, { lang });
  $('card-name').textContent = info.claims.nama || '';
  $('card-nik').textContent = info.claims.nik || '';
  // The photo: the verification view gives it (as a data: URL) only when the card verifies.
  const v = (() => { try { return verifyHeld(state.credential.text, { photo: true }); } catch (e) { return null; } })();
  const img = $('card-photo');
  if (v?.photo?.data) { img.src = v.photo.data; img.hidden = false; } else img.hidden = true;
  $('card-issuer').textContent = fill(t('issuer'), { n: v?.issuer?.name || info.key_id });
  $('card-valid').textContent = fill(t('valid'), { d: (info.expires_at || '').slice(0, 10) });
  const h = state.held;
  $('card-trust').textContent = h?.trust_list ? fill(t('trust_held'), { s: h.trust_list.sequence, f: h.freshness || '' }) : '';
  $('card-trust').dataset.verdict = v?.verdict || '';
  $('static-box').hidden = true;
}

// The full credential as a QR code, for counters without this software (any IKD reader
// verifies it; it is not live and shows every claim).
function showStatic() {
  $('static-box').hidden = false;
  drawQr($('static-qr'), state.credential.text);
}

function renderPrint() {
  drawQr($('print-qr'), state.credential.text, 600);
  $('print-name').textContent = wasm.decode(state.credential.text, { lang }).claims.nama || '';
}

// ---- Show: presets, claims, live QR ----
function policies() {
  try { return JSON.parse(state.held?.policies || '[]'); } catch (e) { return []; }
}
function renderShow() {
  const sel = $('preset');
  const prev = sel.value;
  sel.innerHTML = '';
  for (const p of policies()) {
    const o = document.createElement('option');
    o.value = p.name; o.textContent = p.name; sel.appendChild(o);
  }
  const c = document.createElement('option');
  c.value = ''; c.textContent = t('custom'); sel.appendChild(c);
  sel.value = prev && [...sel.options].some((o) => o.value === prev) ? prev : (sel.options[0]?.value ?? '');
  const fs = $('claims');
  fs.querySelectorAll('label').forEach((l) => l.remove());
  for (const name of CLAIMS) {
    const l = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox'; cb.value = name; cb.id = 'claim-' + name;
    cb.addEventListener('change', () => { sel.value = ''; startLive(); });
    l.append(cb, ' ' + name);
    fs.appendChild(l);
  }
  applyPreset();
}
function applyPreset() {
  const p = policies().find((x) => x.name === $('preset').value);
  if (p) CLAIMS.forEach((n) => { $('claim-' + n).checked = p.required.includes(n); });
  startLive();
}
const chosen = () => CLAIMS.filter((n) => $('claim-' + n)?.checked);

function stopLive() {
  clearTimeout(state.liveTimer); clearInterval(state.countdownTimer);
  state.liveTimer = null; state.countdownTimer = null;
}

async function liveCode() {
  const disclose = chosen();
  const ch = $('challenge').value.trim();
  const p = wasm.preparePresentation(state.credential.text, disclose, nowSecs(), ch || undefined, { lang });
  const sig = await holderSign(p.signingBytes);
  return { text: wasm.finishPresentation(p, sig, { lang }), disclose, signedAt: p.signedAtUnixSeconds };
}

async function startLive() {
  stopLive();
  const err = $('show-error');
  err.textContent = ''; err.dataset.code = '';
  const disclose = chosen();
  $('will-see').innerHTML = '';
  const head = document.createElement('li'); head.textContent = t('sees_prefix'); head.className = 'head';
  $('will-see').appendChild(head);
  for (const n of disclose) { const li = document.createElement('li'); li.textContent = T[lang].sees[n]; $('will-see').appendChild(li); }
  const tail = document.createElement('li'); tail.textContent = t('sees_always'); $('will-see').appendChild(tail);
  const p = policies().find((x) => x.name === $('preset').value);
  if (p?.require_challenge && !$('challenge').value.trim()) { err.textContent = t('challenge_needed'); err.dataset.code = 'challenge_needed'; }
  let code;
  try {
    code = await liveCode();
  } catch (e) {
    $('live-qr').innerHTML = ''; $('live-qr').dataset.text = '';
    err.textContent = e.message; err.dataset.code = e.code || 'error';
    return;
  }
  drawQr($('live-qr'), code.text);
  $('live-qr').dataset.signedAt = String(code.signedAt);
  await addHistory({ time: nowSecs(), preset: $('preset').value || t('custom'), shown: code.disclose, challenge: !!$('challenge').value.trim() });
  let left = REFRESH_SECS;
  $('countdown').textContent = fill(t('countdown'), { s: left });
  state.countdownTimer = setInterval(() => {
    left -= 1;
    $('countdown').textContent = fill(t('countdown'), { s: Math.max(0, left) });
  }, 1000);
  state.liveTimer = setTimeout(startLive, REFRESH_SECS * 1000);
}

// ---- History (kept on the phone) ----
async function addHistory(entry) {
  const h = (await get('history')) || [];
  // One entry per showing: the refreshes of the same choice are the same showing (its time is
  // when it was last shown).
  const last = h[0];
  if (last && last.preset === entry.preset && last.shown.join() === entry.shown.join() &&
      last.challenge === entry.challenge && Math.abs(entry.time - last.time) < 2 * REFRESH_SECS + 10) {
    last.time = entry.time;
  } else {
    h.unshift(entry);
  }
  await put('history', h.slice(0, HISTORY_MAX));
}
async function renderHistory() {
  const h = (await get('history')) || [];
  const ul = $('history-list');
  ul.innerHTML = '';
  if (!h.length) { const li = document.createElement('li'); li.textContent = t('history_empty'); ul.appendChild(li); }
  for (const e of h) {
    const li = document.createElement('li');
    li.textContent = new Date(e.time * 1000).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID') + ' — ' + e.preset + ': ' + e.shown.join(', ');
    ul.appendChild(li);
  }
}

function renderControl() {
  $('key-info').textContent = fill(t(state.key?.weaker ? 'key_info_weaker' : 'key_info'), { k: state.key?.text || '-' });
}
async function deleteAll() {
  if (!document.documentElement.dataset.noConfirm && !confirm(t('delete_confirm'))) return;
  await del('credential'); await del('key'); await del('history');
  state.credential = null; state.key = null;
  show('start');
}

async function loadReader() {
  if (reader) return;
  const m = await import('/static/wasm/reader/ikd_reader.js');
  await m.default();
  reader = m;
}

async function main() {
  applyLang();
  document.querySelectorAll('.lang-btn').forEach((b) => b.addEventListener('click', () => {
    lang = b.dataset.lang; localStorage.setItem('ikd-wallet-lang', lang); applyLang();
  }));
  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => show(b.dataset.screen)));
  $('make-key').addEventListener('click', makeKey);
  $('go-import').addEventListener('click', () => show('import'));
  $('import-back').addEventListener('click', () => show(state.credential ? 'card' : 'enroll'));
  $('import-btn').addEventListener('click', () => importText($('import-text').value));
  $('import-photo').addEventListener('change', (e) => e.target.files[0] && importImage(e.target.files[0]));
  $('import-file').addEventListener('change', async (e) => e.target.files[0] && importText(await e.target.files[0].text()));
  $('card-show').addEventListener('click', () => show('show'));
  $('card-static').addEventListener('click', showStatic);
  $('print-link').addEventListener('click', (e) => { e.preventDefault(); show('print'); });
  $('print-btn').addEventListener('click', () => window.print());
  $('preset').addEventListener('change', applyPreset);
  $('challenge').addEventListener('change', startLive);
  $('history-clear').addEventListener('click', async () => { await del('history'); renderHistory(); });
  $('delete-all').addEventListener('click', deleteAll);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/wallet/sw.js', { scope: '/wallet/' })
      .then(() => navigator.serviceWorker.ready)
      .then(() => { document.documentElement.dataset.swReady = '1'; })
      .catch(() => {});
  }
  try {
    db = await openDb();
    const m = await import('/static/wasm/ikd_wasm.js');
    await m.default();
    wasm = m;
    await loadReader();
  } catch (e) {
    status(fill(t('module_missing'), { msg: e.message }));
    return;
  }
  state.key = (await get('key')) || null;
  state.credential = (await get('credential')) || null;
  state.held = (await get('held')) || null;
  await refreshBundle();
  document.documentElement.dataset.ready = '1';
  if (!state.key) show('start');
  else if (!state.credential) show('enroll');
  else show('card');
}

main();
