// IKD Verify counter page. No dependencies, no network access beyond this server.
// Verification runs in the browser by default (ikd-core compiled to WebAssembly, the lists kept
// in IndexedDB), so the page works with the server stopped once it has been opened; the server
// verifies instead when the module cannot load (docs/SERVER.md §8).
'use strict';

(function () {
  const T = {
    id: {
      title: 'Verifikasi Identitas Kependudukan Digital',
      input_title: 'Pindai atau tempel kode QR',
      input_label: 'Teks kode QR (IKD1:...)',
      input_placeholder: 'IKD1:... (pindai dengan pemindai USB atau tempel di sini)',
      check: 'Periksa',
      scanner_hint: 'Pemindai USB: arahkan ke kode QR; hasil muncul otomatis dan kolom siap untuk pindaian berikutnya.',
      camera_start: 'Pindai dengan kamera',
      camera_stop: 'Berhenti',
      issue_title: 'Terbitkan kartu untuk ponsel warga', issue_holder: 'Kunci ponsel dari kode pendaftaran:',
      issue_claims: 'Data warga (JSON klaim)', issue_token: 'Token admin', issue_days: 'Masa berlaku (hari)', issue_photo: 'Foto wajah (PNG/JPEG, opsional)',
      issue_btn: 'Terbitkan', issue_done: 'Kartu diterbitkan (seri {s}), terikat ke ponsel ini. Warga memotret kode QR di bawah dengan dompetnya.',
      issue_unavailable: 'Server ini tidak menerbitkan kartu (tidak ada kunci penerbit).',
      camera_looking: 'Arahkan kamera ke kode QR…',
      camera_unavailable: 'Kamera tidak tersedia. Kamera hanya dapat dipakai melalui HTTPS atau http://localhost.',
      camera_denied: 'Izin kamera ditolak atau kamera tidak ditemukan.',
      upload: 'Unggah foto kode QR',
      checking: 'Memeriksa…',
      reading_image: 'Membaca kode QR pada foto…',
      close: 'Tutup',
      name: 'Nama',
      birth: 'Tempat/Tgl. Lahir',
      issuer: 'Penerbit',
      validity: 'Masa berlaku',
      reason: 'Alasan',
      report: 'Rincian pemeriksaan',
      nik_reveal: 'Klik untuk menampilkan NIK lengkap',
      samples_title: 'Contoh kredensial DEMO',
      sample_tampered: 'DIUBAH setelah ditandatangani',
      sample_revoked: 'DICABUT',
      footer: 'Verifikasi berjalan tanpa internet, di perangkat ini atau di server kantor. Data pribadi tidak disimpan.',
      mode_online: 'Daring',
      mode_offline: 'Luring (server tidak terjangkau), daftar dari {date}',
      mode_offline_nolists: 'Luring (server tidak terjangkau), belum ada daftar tersimpan',
      engine_wasm: 'verifikasi di perangkat ini (WASM)',
      engine_server: 'verifikasi di server',
      audit_queued: '{n} catatan audit menunggu diunggah',
      no_revocation_offline: 'tanpa cek pencabutan saat luring',
      clock_banner: 'JAM UJI: jam halaman ini digeser {s} detik. Hanya untuk pengujian.',
      reader_unavailable: 'Pembaca kode QR tidak tersedia tanpa server.',
      reader_failed: 'Gambar ini tidak dapat dibaca (pembaca kode QR gagal); coba foto lain.',
      no_qr: 'Tidak ada kode QR yang terbaca pada gambar.',
      demo_banner: 'Mode demo: hanya penerbit contoh yang dipercaya. Hasil di sini BUKAN verifikasi resmi.',
      no_trust_banner: 'Server ini belum memercayai penerbit mana pun: setiap pindaian akan TIDAK DAPAT DIPASTIKAN. Minta petugas TI menambahkan penerbit tepercaya (lihat docs/SERVER.md).',
      VALID: 'SAH',
      INVALID: 'TIDAK SAH',
      UNDETERMINED: 'TIDAK DAPAT DIPASTIKAN',
      unknown_issuer: 'Tidak dikenal (ID kunci {k})',
      unverified_issuer: 'Tidak terverifikasi (ID kunci {k})',
      until: 's.d.',
      expected: 'diharapkan',
      network_error: 'Server tidak dapat dihubungi.',
      counter: 'Loket',
      check_names: {
        decode: 'Format kode', issuer_known: 'Penerbit dikenal', signature: 'Tanda tangan penerbit',
        key_valid_at_issuance: 'Kunci penerbit berlaku saat terbit', validity_window: 'Masa berlaku',
        nik_consistency: 'Konsistensi NIK', revocation: 'Status pencabutan (register)',
        status: 'Daftar status (pencabutan)', holder_binding: 'Ponsel pemilik', policy: 'Kebijakan layanan'
      },
      outcomes: { passed: 'lulus', failed: 'GAGAL', undetermined: 'tidak dapat dipastikan', skipped: 'dilewati', not_checked: 'tidak diperiksa (tidak ada daftar status)' },
      policy_label: 'Kebijakan layanan',
      policy_none: 'Tanpa kebijakan (tampilkan apa adanya)',
      challenge_start: 'Mode tantangan',
      challenge_stop: 'Matikan mode tantangan',
      challenge_new: 'Kode baru',
      challenge_label: 'Kode tantangan: minta warga memasukkan kode ini di aplikasi IKD-nya',
      withheld: 'Tidak ditampilkan',
      claim_names: {
        nama: 'Nama', nik: 'NIK', age_over_17: 'Usia ≥ 17', foto: 'Foto', age_over_21: 'Usia ≥ 21', age_over_60: 'Usia ≥ 60',
        jenis_kelamin: 'Jenis kelamin', tanggal_lahir: 'Tanggal lahir', tempat_lahir: 'Tempat lahir',
        golongan_darah: 'Golongan darah', agama: 'Agama', status_perkawinan: 'Status perkawinan', pekerjaan: 'Pekerjaan',
        kewarganegaraan: 'Kewarganegaraan', alamat: 'Alamat', berlaku_hingga: 'Berlaku hingga'
      }
    },
    en: {
      title: 'Digital Population Identity verification',
      input_title: 'Scan or paste a QR code',
      input_label: 'QR code text (IKD1:...)',
      input_placeholder: 'IKD1:... (scan with a USB scanner or paste here)',
      check: 'Check',
      scanner_hint: 'USB scanner: aim at the QR code; the result appears by itself and the field is ready for the next scan.',
      camera_start: 'Scan with camera',
      camera_stop: 'Stop',
      issue_title: "Issue a card for the resident's phone", issue_holder: 'Phone key from the enrollment code:',
      issue_claims: "Resident's data (claims JSON)", issue_token: 'Admin token', issue_days: 'Validity (days)', issue_photo: 'Face photo (PNG/JPEG, optional)',
      issue_btn: 'Issue', issue_done: "Card issued (serial {s}), bound to that phone. The resident photographs the QR code below with the wallet.",
      issue_unavailable: 'This server does not issue cards (no issuer key).',
      camera_looking: 'Point the camera at the QR code…',
      camera_unavailable: 'No camera available. The camera only works over HTTPS or http://localhost.',
      camera_denied: 'Camera permission denied, or no camera found.',
      upload: 'Upload a photo of the QR code',
      checking: 'Checking…',
      reading_image: 'Reading the QR code in the photo…',
      close: 'Close',
      name: 'Name',
      birth: 'Place/Date of birth',
      issuer: 'Issuer',
      validity: 'Validity',
      reason: 'Reason',
      report: 'Check details',
      nik_reveal: 'Click to show the full NIK',
      samples_title: 'DEMO sample credentials',
      sample_tampered: 'TAMPERED after signing',
      sample_revoked: 'REVOKED',
      footer: 'Verification runs without internet, on this device or on the office server. No personal data is stored.',
      mode_online: 'Online',
      mode_offline: 'Offline (server unreachable), lists from {date}',
      mode_offline_nolists: 'Offline (server unreachable), no lists kept yet',
      engine_wasm: 'verifying on this device (WASM)',
      engine_server: 'verifying on the server',
      audit_queued: '{n} audit entries waiting to upload',
      no_revocation_offline: 'no revocation check while offline',
      clock_banner: 'TEST CLOCK: this page\'s clock is shifted by {s} seconds. For testing only.',
      reader_unavailable: 'The QR code reader is not available without the server.',
      reader_failed: 'This image could not be read (the QR code reader failed); try another photo.',
      no_qr: 'No QR code could be read in the image.',
      demo_banner: 'Demo mode: only the sample issuer is trusted. Results here are NOT an official verification.',
      no_trust_banner: 'This server trusts no issuer yet: every scan will be UNDETERMINED. Ask IT to add a trusted issuer (see docs/SERVER.md).',
      VALID: 'VALID',
      INVALID: 'INVALID',
      UNDETERMINED: 'UNDETERMINED',
      unknown_issuer: 'Unknown (key id {k})',
      unverified_issuer: 'Not verified (key id {k})',
      until: 'to',
      expected: 'expected',
      network_error: 'The server cannot be reached.',
      counter: 'Counter',
      check_names: {
        decode: 'Code format', issuer_known: 'Issuer known', signature: 'Issuer signature',
        key_valid_at_issuance: 'Issuer key valid at issue', validity_window: 'Validity period',
        nik_consistency: 'NIK consistency', revocation: 'Revocation (registry)',
        status: 'Status list (revocation)', holder_binding: "Owner's phone", policy: 'Service policy'
      },
      outcomes: { passed: 'passed', failed: 'FAILED', undetermined: 'undetermined', skipped: 'skipped', not_checked: 'not checked (no status list)' },
      policy_label: 'Service policy',
      policy_none: 'No policy (show what is presented)',
      challenge_start: 'Challenge mode',
      challenge_stop: 'Turn challenge mode off',
      challenge_new: 'New code',
      challenge_label: 'Challenge code: ask the resident to enter this code in their IKD app',
      withheld: 'Withheld',
      claim_names: {
        nama: 'Name', nik: 'NIK', age_over_17: 'Age ≥ 17', foto: 'Photo', age_over_21: 'Age ≥ 21', age_over_60: 'Age ≥ 60',
        jenis_kelamin: 'Sex', tanggal_lahir: 'Date of birth', tempat_lahir: 'Place of birth', golongan_darah: 'Blood type',
        agama: 'Religion', status_perkawinan: 'Marital status', pekerjaan: 'Occupation', kewarganegaraan: 'Citizenship',
        alamat: 'Address', berlaku_hingga: 'Valid until'
      }
    }
  };

  const $ = (id) => document.getElementById(id);
  const RESULT_TTL_MS = 120000; // results are cleared after 2 minutes (privacy)
  let lang = localStorage.getItem('ikd-lang') === 'en' ? 'en' : 'id';
  let last = null; // last verification response, re-rendered on language switch
  let nikFull = null;
  let nikShown = false;
  let clearTimer = null;
  let cam = null; // {stream, timer, busy}
  let policy = localStorage.getItem('ikd-policy') || ''; // service policy sent with each check
  let challenge = null; // the challenge code shown, in challenge mode

  const counterId = (() => {
    const p = new URLSearchParams(location.search).get('loket');
    if (p && /^[A-Za-z0-9._:-]{1,64}$/.test(p)) localStorage.setItem('ikd-counter-id', p);
    return localStorage.getItem('ikd-counter-id');
  })();

  // Keep the field focused for the next scan without scrolling the verdict out of view.
  function focusInput() { $('qr-input').focus({ preventScroll: true }); }

  // The verdict must be in view after every scan, on a phone as on a desktop: when the result
  // panel is not wholly visible (on a phone the input controls push it down), scroll its top
  // to the top of the window, so the verdict, the name and the photo show together.
  function revealResult() {
    const panel = $('result');
    if (panel.hidden) return;
    const box = panel.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) panel.scrollIntoView({ block: 'start', behavior: 'auto' });
  }

  function t(key) { return (T[lang] && T[lang][key]) || T.id[key] || key; }

  function applyLang() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle); });
    document.querySelectorAll('.lang-btn').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
    if (counterId) $('counter-label').textContent = t('counter') + ': ' + counterId;
    renderMode();
    $('challenge-btn').textContent = t(challenge ? 'challenge_stop' : 'challenge_start');
    if (last) render(last);
  }

  // Options sent with every check: the service policy and the challenge code.
  function options() {
    // The officer may reveal the full NIK with a click, so the page asks for it; the server
    // masks it by default for every other client.
    const o = { show_nik: true };
    if (policy) o.policy = policy;
    if (challenge) o.challenge = challenge;
    return o;
  }

  // Challenge codes: 5 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
  const CH_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  function newChallenge() {
    const out = [];
    const buf = new Uint8Array(16);
    while (out.length < 5) {
      crypto.getRandomValues(buf);
      buf.forEach((b) => { if (b < 248 && out.length < 5) out.push(CH_ALPHABET[b % CH_ALPHABET.length]); });
    }
    return out.join('');
  }

  function setChallenge(code) {
    challenge = code;
    $('challenge').hidden = !code;
    $('challenge-code').textContent = code || '';
    const btn = $('challenge-btn');
    btn.setAttribute('aria-pressed', String(!!code));
    btn.textContent = t(code ? 'challenge_stop' : 'challenge_start');
  }

  function headers(extra) {
    const h = Object.assign({ 'Accept-Language': lang === 'en' ? 'en' : 'id' }, extra || {});
    if (counterId) h['X-Counter-Id'] = counterId;
    return h;
  }

  function setStatus(text, isError) {
    const s = $('status');
    s.textContent = text || '';
    s.classList.toggle('error', !!isError);
  }

  function hideResult() {
    $('result').hidden = true;
    last = null;
    nikFull = null;
    if (clearTimer) { clearTimeout(clearTimer); clearTimer = null; }
  }

  function maskNik(nik) { return nik.length === 16 ? '************' + nik.slice(12) : '****************'; }

  function fmtDate(s) {
    if (!s) return '-';
    const d = new Date(s);
    if (isNaN(d.getTime())) return s;
    return d.toLocaleDateString(lang === 'en' ? 'en-GB' : 'id-ID', { day: '2-digit', month: 'short', year: 'numeric' });
  }

  function fmtBirthDate(s) {
    // Claims dates are plain YYYY-MM-DD: show them as DD-MM-YYYY, as on the KTP-el.
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    return m ? m[3] + '-' + m[2] + '-' + m[1] : (s || '-');
  }

  function render(r) {
    const panel = $('result');
    const v = r.verdict || 'UNDETERMINED';
    panel.classList.remove('valid', 'invalid', 'undetermined');
    panel.classList.add(v.toLowerCase());
    panel.dataset.verdict = v;
    panel.dataset.code = r.code || '';
    $('verdict').textContent = t(v);
    $('result-message').textContent = r.message || '';
    const c = r.claims;
    $('r-name').textContent = c && c.nama ? c.nama : '-';
    nikFull = c && c.nik ? c.nik : null;
    const nikBtn = $('r-nik');
    nikBtn.textContent = nikFull ? (nikShown ? nikFull : maskNik(nikFull)) : '-';
    nikBtn.disabled = !nikFull;
    $('r-birth').textContent = c && (c.tempat_lahir || c.tanggal_lahir)
      ? (c.tempat_lahir || '-') + ', ' + fmtBirthDate(c.tanggal_lahir) : '-';
    // The issuer part is trusted only once the signature verified (r.issuer is set).
    if (r.issuer) $('r-issuer').textContent = r.issuer.name;
    else if (r.credential) {
      const key = r.code === 'issuer_unknown' ? 'unknown_issuer' : 'unverified_issuer';
      $('r-issuer').textContent = t(key).replace('{k}', r.credential.key_id);
    } else $('r-issuer').textContent = '-';
    $('r-validity').textContent = r.credential && r.issuer
      ? fmtDate(r.credential.valid_from) + ' ' + t('until') + ' ' + fmtDate(r.credential.expires_at) : '-';
    $('r-reason').textContent = v === 'VALID' ? '-' : (r.message || '') + ' (' + r.code + ')';
    // A presentation: name what the resident chose not to show.
    const withheld = $('r-withheld');
    const names = t('claim_names');
    if (v === 'VALID' && r.withheld && r.withheld.length) {
      withheld.textContent = t('withheld') + ': ' + r.withheld.map((n) => names[n] || n).join(', ');
      withheld.dataset.names = r.withheld.join(',');
      withheld.hidden = false;
    } else {
      withheld.textContent = '';
      withheld.dataset.names = '';
      withheld.hidden = true;
    }
    const warn = $('r-warnings');
    warn.textContent = '';
    (r.warnings || []).forEach((w) => {
      const li = document.createElement('li');
      li.textContent = w.message;
      li.dataset.code = w.code;
      warn.appendChild(li);
    });
    warn.hidden = !(r.warnings && r.warnings.length);
    const photo = $('photo');
    if (r.photo && r.photo.data) { photo.src = r.photo.data; photo.hidden = false; photo.alt = c && c.nama ? c.nama : ''; }
    else { photo.removeAttribute('src'); photo.hidden = true; }
    const ul = $('r-report');
    ul.textContent = '';
    (r.report || []).forEach((e) => {
      const li = document.createElement('li');
      const names = t('check_names');
      const outs = t('outcomes');
      li.textContent = (names[e.check] || e.check) + ': ' + (outs[e.outcome] || e.outcome) + (e.code ? ' (' + e.code + ')' : '');
      if (e.outcome === 'failed') li.className = 'failed';
      ul.appendChild(li);
    });
    panel.hidden = false;
  }

  function show(r) {
    last = r;
    nikShown = false;
    render(r);
    setStatus('');
    if (clearTimer) clearTimeout(clearTimer);
    clearTimer = setTimeout(hideResult, RESULT_TTL_MS);
    // In challenge mode each accepted code is used once: show a new one for the next resident.
    if (challenge && r.verdict === 'VALID') setChallenge(newChallenge());
    revealResult();
  }

  async function handle(resp) {
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (resp.ok && body && body.verdict) { show(body); $('result').dataset.engine = 'server'; return 'ok'; }
    const msg = body && body.error ? body.error.message : ('HTTP ' + resp.status);
    return { status: resp.status, code: body && body.error ? body.error.code : '', message: msg };
  }

  async function verifyText(text) {
    hideResult();
    if (enrollment(text)) return;
    if (useWasm()) { await verifyLocal(text); return; }
    setStatus(t('checking'));
    try {
      const resp = await fetch('/v1/verify', {
        method: 'POST', headers: headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(Object.assign({ qr: text }, options()))
      });
      const r = await handle(resp);
      if (r !== 'ok') setStatus(r.message, true);
    } catch (e) {
      // The server went away: verify here when the module and lists are at hand.
      setOnline(false);
      if (off.verifier) { await verifyLocal(text); return; }
      setStatus(t('network_error'), true);
    }
  }

  async function verifyImage(blob, type, source) {
    const params = new URLSearchParams(options());
    if (source) params.set('source', source);
    const q = params.toString();
    const url = '/v1/verify/image' + (q ? '?' + q : '');
    const resp = await fetch(url, { method: 'POST', headers: headers({ 'Content-Type': type }), body: blob });
    return handle(resp);
  }

  // Text field: a USB scanner types the text and presses Enter. Clear at once, keep focus.
  $('text-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('qr-input');
    const text = input.value.trim();
    input.value = '';
    focusInput();
    if (text) verifyText(text);
  });

  // Upload.
  $('file-input').addEventListener('change', async (ev) => {
    const f = ev.target.files && ev.target.files[0];
    ev.target.value = '';
    if (!f) return;
    hideResult();
    setStatus(t('reading_image'));
    const type = ['image/png', 'image/jpeg', 'image/webp'].includes(f.type) ? f.type : 'image/jpeg';
    if (useWasm()) {
      // Read the code here (BarcodeDetector, else the core's reader in WASM), verify here.
      try {
        const texts = await readUpload(f);
        const text = texts.find((x) => /^IKD/.test(x)) || texts[0];
        if (text) { if (!enrollment(text)) await verifyLocal(text); } else setStatus(t('no_qr'), true);
        focusInput();
        return;
      } catch (e) {
        if (e && e.code !== 'reader_unavailable') { setStatus(e.message || t('no_qr'), true); focusInput(); return; }
        if (!off.online) { setStatus(t('reader_unavailable'), true); focusInput(); return; }
        // No reader in this browser: the server reads the image (and verifies it).
      }
    }
    try {
      const r = await verifyImage(f, type);
      if (r !== 'ok') setStatus(r.message, true);
    } catch (e) {
      setOnline(false);
      setStatus(t('network_error'), true);
    }
    focusInput();
  });

  // Camera: send frames as JPEG a few times a second until the server finds a code.
  function stopCamera() {
    if (!cam) return;
    clearInterval(cam.timer);
    cam.stream.getTracks().forEach((tr) => tr.stop());
    cam = null;
    $('video').srcObject = null;
    $('camera').hidden = true;
    focusInput();
    revealResult();
  }

  async function startCamera() {
    if (cam) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { setStatus(t('camera_unavailable'), true); return; }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false
      });
    } catch (e) {
      setStatus(t('camera_denied'), true);
      return;
    }
    hideResult();
    setStatus('');
    const video = $('video');
    video.srcObject = stream;
    $('camera').hidden = false;
    try { await video.play(); } catch (e) { /* autoplay of a muted stream is allowed */ }
    $('camera-status').textContent = t('camera_looking');
    const canvas = document.createElement('canvas');
    cam = { stream: stream, busy: false, timer: null };
    cam.timer = setInterval(() => {
      if (!cam || cam.busy || !video.videoWidth) return;
      cam.busy = true;
      const scale = Math.min(1, 1280 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      if (useWasm() && cam.local !== false) {
        // Read the frame here; only a browser without any reader sends frames to the server.
        readFrameLocal(canvas, ctx).then(async (texts) => {
          const text = texts.find((x) => /^IKD/.test(x)) || texts[0];
          if (text && cam) { stopCamera(); if (!enrollment(text)) await verifyLocal(text); }
        }).catch((e) => {
          if (e && e.code === 'reader_unavailable' && cam) cam.local = false;
        }).finally(() => { if (cam) cam.busy = false; });
        return;
      }
      canvas.toBlob(async (blob) => {
        try {
          if (!blob || !cam) return;
          const r = await verifyImage(blob, 'image/jpeg', 'camera');
          if (r === 'ok') { stopCamera(); return; }
          if (cam) $('camera-status').textContent = r.status === 422 ? r.message : (r.message || t('camera_looking'));
        } catch (e) {
          if (cam) $('camera-status').textContent = t('network_error');
        } finally {
          if (cam) cam.busy = false;
        }
      }, 'image/jpeg', 0.85);
    }, 300);
  }

  $('camera-btn').addEventListener('click', startCamera);
  $('challenge-btn').addEventListener('click', () => {
    setChallenge(challenge ? null : newChallenge());
    focusInput();
  });
  $('challenge-new').addEventListener('click', () => { setChallenge(newChallenge()); focusInput(); });
  // Policies that need the counter's challenge (e.g. bank) switch challenge mode on.
  const needsChallenge = new Set();
  $('policy-select').addEventListener('change', (ev) => {
    policy = ev.target.value;
    if (policy) localStorage.setItem('ikd-policy', policy); else localStorage.removeItem('ikd-policy');
    if (needsChallenge.has(policy) && !challenge) setChallenge(newChallenge());
    focusInput();
  });

  // The service policies this server knows fill the select.
  let policiesLoaded = false;
  async function loadPolicies() {
    if (policiesLoaded) return;
    try {
      let body = null;
      try {
        const resp = await fetch('/v1/policies', { headers: headers() });
        if (resp.ok) body = await resp.json();
      } catch (e) { /* offline: the policies kept with the lists */ }
      if (!body && off.bundle && off.bundle.policies) body = { policies: JSON.parse(off.bundle.policies) };
      if (!body) return;
      policiesLoaded = true;
      const sel = $('policy-select');
      (body.policies || []).forEach((p) => {
        const o = document.createElement('option');
        o.value = p.name;
        o.textContent = p.name + (p.require_challenge ? ' (live + tantangan/challenge)' : p.require_live ? ' (live)' : '');
        if (p.require_challenge) needsChallenge.add(p.name);
        o.title = (p.required || []).join(', ');
        sel.appendChild(o);
      });
      if (policy && (body.policies || []).some((p) => p.name === policy)) {
        sel.value = policy;
        if (needsChallenge.has(policy) && !challenge) setChallenge(newChallenge());
      }
      else { policy = ''; sel.value = ''; }
    } catch (e) { /* without policies the page works as before */ }
  }
  $('camera-stop').addEventListener('click', stopCamera);
  $('result-close').addEventListener('click', () => { hideResult(); focusInput(); });
  $('r-nik').addEventListener('click', () => {
    if (!nikFull) return;
    nikShown = !nikShown;
    $('r-nik').textContent = nikShown ? nikFull : maskNik(nikFull);
  });
  document.querySelectorAll('.lang-btn').forEach((b) => b.addEventListener('click', () => {
    lang = b.dataset.lang === 'en' ? 'en' : 'id';
    localStorage.setItem('ikd-lang', lang);
    applyLang();
    focusInput();
  }));

  async function loadSamples() {
    if (document.documentElement.dataset.demo !== '1') return;
    try {
      const resp = await fetch('/v1/demo/samples', { headers: headers() });
      if (!resp.ok) return;
      const body = await resp.json();
      const ul = $('sample-list');
      ul.textContent = '';
      (body.samples || []).forEach((s, i) => {
        const li = document.createElement('li');
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'sample-btn';
        btn.id = 'sample-' + i;
        btn.dataset.expect = s.expect;
        const variant = s.variant === 'tampered' ? t('sample_tampered') : s.variant === 'revoked' ? t('sample_revoked') : '';
        btn.textContent = (s.name || s.label) + (variant ? ' (' + variant + ')' : '');
        const small = document.createElement('small');
        small.textContent = t('expected') + ': ' + t(s.expect) + ' (' + s.expect_code + ')';
        btn.appendChild(small);
        btn.addEventListener('click', () => { verifyText(s.qr); focusInput(); });
        li.appendChild(btn);
        if (s.qr_png) {
          const img = document.createElement('img');
          img.className = 'sample-qr';
          img.src = s.qr_png;
          img.alt = 'QR ' + s.label;
          li.appendChild(img);
        }
        ul.appendChild(li);
      });
      $('samples').hidden = false;
    } catch (e) { /* samples are optional */ }
  }

  // A server that trusts no issuer answers every scan UNDETERMINED: say so in a banner.
  async function checkTrust() {
    try {
      const resp = await fetch('/v1/info', { headers: headers() });
      if (!resp.ok) return;
      const body = await resp.json();
      if (!Array.isArray(body.trusted_issuers)) return;
      const n = body.trusted_issuers.length;
      document.documentElement.dataset.trustedIssuers = String(n);
      $('trust-banner').hidden = n > 0;
    } catch (e) { /* the banner is advisory */ }
  }

  // ---------------------------------------------------------------- offline

  // The page's state for verifying without the server: the WASM module, the lists it holds
  // (IndexedDB), the verifier made from them, and whether the server answered last time.
  const off = { db: null, wasm: null, verifier: null, bundle: null, online: true, pageId: null, queued: 0,
                reader: null, problems: [], listErrors: [], flushing: false };

  // Test hook (documented in docs/SERVER.md §8): ?clock_offset_secs=N shifts the page's clock
  // by N seconds (kept in localStorage until ?clock_offset_secs=0), so a test can verify "after
  // the offline period". Honoured only on a loopback origin, and shown in a banner.
  const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);
  const clockOffset = (() => {
    const KEY = 'ikd-clock-offset-secs';
    if (!LOOPBACK) { localStorage.removeItem(KEY); return 0; }
    const p = new URLSearchParams(location.search).get('clock_offset_secs');
    if (p !== null && /^-?[0-9]{1,10}$/.test(p)) {
      if (Number(p) === 0) localStorage.removeItem(KEY); else localStorage.setItem(KEY, p);
    }
    const v = Number(localStorage.getItem(KEY) || 0);
    return Number.isFinite(v) ? v : 0;
  })();
  function nowSecs() { return Math.floor(Date.now() / 1000) + clockOffset; }

  function b64ToBytes(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''); }

  // IndexedDB: "kv" (lists, replay memory, page id, next audit sequence) and "audit" (the
  // queue of audit entries, by page sequence).
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open('ikd-page', 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('kv');
        req.result.createObjectStore('audit', { keyPath: 'seq' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  function tx(stores, mode, fn) {
    return new Promise((resolve, reject) => {
      const t = off.db.transaction(stores, mode);
      let out;
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
      out = fn(t);
    });
  }
  function reqValue(r) { return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); }); }
  async function kvGet(key) {
    if (!off.db) return undefined;
    return reqValue(off.db.transaction('kv').objectStore('kv').get(key));
  }
  async function kvSet(key, value) {
    if (!off.db) return;
    await tx(['kv'], 'readwrite', (t) => { t.objectStore('kv').put(value, key); });
  }

  function setOnline(on) {
    if (off.online === on) return;
    off.online = on;
    renderMode();
  }

  function useWasm() {
    if (!off.verifier || !off.bundle) return false;
    // Lists that did not verify here (named in off.problems): the server decides while it answers.
    if (off.listErrors.length && off.online) return false;
    // Status lists are verified only under a signed trust list: a server with a plain trust
    // store keeps its revocations in its registry, so the page asks it while it answers.
    return off.bundle.mode === 'trust_list' || !off.online;
  }

  // The date of the oldest list held (what decides freshness), for the mode line.
  function listsDate() {
    const b = off.bundle;
    if (!b) return null;
    const dates = (b.status_lists || []).map((s) => s.issued_at);
    if (b.trust_list) dates.push(b.trust_list.issued_at);
    if (!dates.length) return b.fetched_at || null;
    return dates.sort()[0];
  }

  function renderMode() {
    const el = $('mode');
    if (!el) return;
    const wasm = useWasm();
    const parts = [];
    const d = listsDate();
    if (off.online) parts.push(t('mode_online'));
    else if (d) {
      const when = new Date(d);
      const txt = isNaN(when.getTime()) ? d : when.toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID',
        { day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
      parts.push(t('mode_offline').replace('{date}', txt));
    } else parts.push(t('mode_offline_nolists'));
    parts.push(t(wasm ? 'engine_wasm' : 'engine_server'));
    if (wasm && off.bundle && off.bundle.mode !== 'trust_list') parts.push(t('no_revocation_offline'));
    if (off.queued) parts.push(t('audit_queued').replace('{n}', String(off.queued)));
    el.textContent = parts.join(' · ');
    el.dataset.online = off.online ? '1' : '0';
    el.dataset.engine = wasm ? 'wasm' : 'server';
    el.dataset.queued = String(off.queued);
    el.dataset.listsDate = d || '';
    el.dataset.problems = off.problems.concat(off.listErrors.map((e) => e.list + ':' + e.code)).join(' ');
    const banner = $('clock-banner');
    if (clockOffset) { banner.textContent = t('clock_banner').replace('{s}', String(clockOffset)); banner.hidden = false; }
  }

  async function loadWasm() {
    try {
      const m = await import('/static/wasm/ikd_wasm.js');
      await m.default();
      off.wasm = m;
    } catch (e) {
      off.wasm = null; // the server verifies
    }
  }

  // Builds the verifier from the lists held, with the replay memory kept across reloads.
  async function buildVerifier() {
    const b = off.bundle;
    if (off.verifier) { try { off.verifier.free(); } catch (e) { /* already freed */ } }
    off.verifier = null;
    off.listErrors = [];
    if (!off.wasm || !b) return;
    try {
      if (b.mode === 'trust_list' && b.trust_list) {
        off.verifier = off.wasm.Verifier.withTrustList(b64ToBytes(b.trust_list.bytes), b.pinned_roots,
          { statusLists: (b.status_lists || []).map((s) => b64ToBytes(s.bytes)), lang: lang,
            freshness: b.freshness_policy || undefined });
      } else if (b.trust_store) {
        off.verifier = new off.wasm.Verifier(b.trust_store, { lang: lang, freshness: b.freshness_policy || undefined });
      }
      off.listErrors = off.verifier ? (off.verifier.listErrors || []) : [];
      const replay = await kvGet('replay');
      if (off.verifier && replay && typeof off.verifier.importReplay === 'function') {
        try { off.verifier.importReplay(replay, nowSecs()); } catch (e) { /* an unreadable memory is dropped */ }
      }
    } catch (e) {
      off.verifier = null;
      off.problems = [e && e.code ? e.code : 'verifier_failed'];
    }
  }

  // Takes the lists the server offers: the first time as they are (their roots are pinned
  // from then on); afterwards each list only as the core's list-holder rules allow
  // (decideTrustList / decideStatusList in the WASM module: successor, no rollback, no
  // revocation lifted). A list that is refused keeps the one held.
  function adopt(held, offered) {
    const fetched = new Date(nowSecs() * 1000).toISOString();
    if (!held || held.mode !== offered.mode || offered.mode !== 'trust_list' || !held.trust_list) {
      return Object.assign({}, offered, { fetched_at: fetched });
    }
    const w = off.wasm;
    const problems = [];
    const decide = (fn, args) => {
      if (!w || typeof w[fn] !== 'function') return { accept: false, code: 'decide_unavailable' };
      try { return w[fn].apply(null, args); } catch (e) { return { accept: false, code: e.code || 'decide_failed' }; }
    };
    let trust = held.trust_list;
    let roots = held.pinned_roots;
    if (offered.trust_list && offered.trust_list.bytes !== held.trust_list.bytes) {
      const d = decide('decideTrustList', [b64ToBytes(held.trust_list.bytes), b64ToBytes(offered.trust_list.bytes),
        held.pinned_roots, nowSecs(), { lang: lang }]);
      if (d.accept) {
        trust = offered.trust_list;
        // The roots to keep pinned beside the new list (a root rotation hands over to them).
        if (Array.isArray(d.roots) && d.roots.length) roots = d.roots;
      } else problems.push('trust_list:' + d.code);
    }
    const status = [];
    const seen = new Set();
    (offered.status_lists || []).forEach((s) => {
      seen.add(s.issuer_key);
      const h = (held.status_lists || []).find((x) => x.issuer_key === s.issuer_key);
      if (h && h.bytes === s.bytes) { status.push(h); return; }
      const d = decide('decideStatusList', [h ? b64ToBytes(h.bytes) : null, b64ToBytes(s.bytes),
        b64ToBytes(trust.bytes), roots, nowSecs(), { lang: lang }]);
      if (d.accept) status.push(s);
      else { problems.push('status:' + s.key_id + ':' + d.code); if (h) status.push(h); }
    });
    (held.status_lists || []).forEach((h) => { if (!seen.has(h.issuer_key)) status.push(h); });
    off.problems = problems;
    return Object.assign({}, held, {
      trust_list: trust, pinned_roots: roots, status_lists: status, policies: offered.policies, freshness_policy: offered.freshness_policy,
      demo: offered.demo, wasm: offered.wasm, fetched_at: fetched
    });
  }

  // One sync: fetch the lists, take what the rules allow, upload the audit queue.
  async function sync() {
    let offered = null;
    try {
      const resp = await fetch('/v1/offline/bundle', { headers: headers(), cache: 'no-store' });
      if (resp.ok) offered = await resp.json();
      setOnline(true);
    } catch (e) {
      setOnline(false);
    }
    if (offered) {
      const next = adopt(off.bundle, offered);
      const changed = JSON.stringify([next.mode, next.trust_list, next.status_lists, next.trust_store]) !==
        JSON.stringify(off.bundle ? [off.bundle.mode, off.bundle.trust_list, off.bundle.status_lists, off.bundle.trust_store] : null);
      off.bundle = next;
      try { await kvSet('bundle', next); } catch (e) { /* kept in memory only */ }
      if (changed || !off.verifier) await buildVerifier();
    }
    await flushAudit();
    renderMode();
    loadPolicies();
  }

  // ---- audit queue: {seq, at, counter_id, serial, key_id, verdict, code}; no personal data.

  async function queueAudit(r, now) {
    if (!off.db) return;
    const entry = {
      at: new Date(now * 1000).toISOString(),
      counter_id: counterId || null,
      serial: r.credential ? r.credential.serial : null,
      key_id: r.credential ? r.credential.key_id : null,
      verdict: r.verdict,
      code: r.code
    };
    await tx(['kv', 'audit'], 'readwrite', (t) => {
      const kv = t.objectStore('kv');
      const g = kv.get('audit-next-seq');
      g.onsuccess = () => {
        const seq = g.result || 1;
        entry.seq = seq;
        t.objectStore('audit').put(entry);
        kv.put(seq + 1, 'audit-next-seq');
      };
    });
    await countQueued();
  }

  async function countQueued() {
    if (!off.db) return;
    off.queued = await reqValue(off.db.transaction('audit').objectStore('audit').count());
    renderMode();
  }

  async function pageId() {
    let id = await kvGet('page-id');
    if (!id) {
      const b = new Uint8Array(16);
      crypto.getRandomValues(b);
      id = hex(b);
      await kvSet('page-id', id);
    }
    return id;
  }

  // Uploads the queue oldest first, in runs of one counter id, up to 100 entries a request.
  // The server records each (counter id, page id, seq) once, so a retry after a lost answer
  // doubles nothing; an entry is deleted only once the server has recorded it.
  async function flushAudit() {
    if (!off.db || off.flushing) return;
    off.flushing = true;
    try {
      for (;;) {
        const all = await reqValue(off.db.transaction('audit').objectStore('audit').getAll(null, 100));
        if (!all.length) break;
        const c = all[0].counter_id;
        const run = [];
        for (const e of all) { if (e.counter_id !== c) break; run.push(e); }
        const h = { 'Content-Type': 'application/json', 'Accept-Language': lang };
        if (c) h['X-Counter-Id'] = c;
        const body = { page_id: off.pageId, entries: run.map((e) => ({ seq: e.seq, at: e.at, serial: e.serial, key_id: e.key_id, verdict: e.verdict, code: e.code })) };
        let resp;
        try {
          resp = await fetch('/v1/audit/entries', { method: 'POST', headers: h, body: JSON.stringify(body) });
        } catch (e) { setOnline(false); break; }
        if (resp.ok) {
          await tx(['audit'], 'readwrite', (t) => { run.forEach((e) => t.objectStore('audit').delete(e.seq)); });
          continue;
        }
        let err = null;
        try { err = (await resp.json()).error; } catch (e) { err = null; }
        if (resp.status === 422 && err && Number.isInteger(err.index) && run[err.index]) {
          // An entry the server can never accept would block the queue: drop that one entry.
          const bad = run[err.index].seq;
          await tx(['audit'], 'readwrite', (t) => { t.objectStore('audit').delete(bad); });
          continue;
        }
        break; // try again at the next sync
      }
    } finally {
      off.flushing = false;
      await countQueued();
    }
  }

  // Verifies in the browser, records the audit entry, keeps the replay memory.
  async function verifyLocal(text) {
    const now = nowSecs();
    const o = { lang: lang, showNik: true, photo: true };
    if (policy) o.policy = policy;
    if (challenge) o.challenge = challenge;
    if (off.bundle && off.bundle.policies) o.policies = off.bundle.policies;
    let r;
    try {
      r = off.verifier.verify(text, now, o);
    } catch (e) {
      setStatus((e && e.message) || String(e), true);
      return;
    }
    show(r);
    $('result').dataset.engine = 'wasm';
    if (r.verdict === 'VALID' && r.live && typeof off.verifier.exportReplay === 'function') {
      try { await kvSet('replay', off.verifier.exportReplay(now)); } catch (e) { /* memory only */ }
    }
    try { await queueAudit(r, now); } catch (e) { /* IndexedDB unavailable */ }
    if (off.online) flushAudit();
  }

  // ---- reading QR codes in the browser: BarcodeDetector where it exists, else the core's
  // reader compiled to WASM, loaded the first time it is needed.

  let detector;
  async function barcodeDetector() {
    if (detector !== undefined) return detector;
    detector = null;
    try {
      if ('BarcodeDetector' in window) {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes('qr_code')) detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      }
    } catch (e) { detector = null; }
    return detector;
  }

  // A decoder panic inside the reader module traps (WebAssembly.RuntimeError): that instance
  // must not be used again, so the next read imports the module afresh (a new URL; the
  // service worker caches it by path, so this works offline too).
  let readerGeneration = 0;
  function readerTrapped(e) {
    if (!(e instanceof WebAssembly.RuntimeError)) return e;
    off.reader = null;
    readerGeneration += 1;
    const err = new Error(t('reader_failed'));
    err.code = 'decoder_failed';
    return err;
  }

  async function reader() {
    if (off.reader) return off.reader;
    try {
      const m = await import('/static/wasm/reader/ikd_reader.js' + (readerGeneration ? '?r=' + readerGeneration : ''));
      await m.default();
      off.reader = m;
      return m;
    } catch (e) {
      const err = new Error(t('reader_unavailable'));
      err.code = 'reader_unavailable';
      throw err;
    }
  }

  function readerError(e) {
    if (e && e.code === 'no_qr_found') { const err = new Error(e.message || t('no_qr')); err.code = e.code; return err; }
    return e;
  }

  async function readUpload(file) {
    const d = await barcodeDetector();
    if (d) {
      try {
        const found = await d.detect(await createImageBitmap(file));
        if (found.length) return found.map((x) => x.rawValue);
      } catch (e) { /* fall through to the core's reader */ }
    }
    const m = await reader();
    try { return m.readImage(new Uint8Array(await file.arrayBuffer()), { lang: lang }); } catch (e) { throw readerError(readerTrapped(e)); }
  }

  async function readFrameLocal(canvas, ctx) {
    const d = await barcodeDetector();
    if (d) {
      const found = await d.detect(canvas);
      return found.map((x) => x.rawValue);
    }
    const m = await reader();
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    try { return m.readFrame(img.data, canvas.width, canvas.height, { lang: lang }); } catch (e) {
      if (e && e.code === 'no_qr_found') return [];
      throw readerTrapped(e);
    }
  }

  async function startOffline() {
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* online only */ });
      navigator.serviceWorker.ready.then(() => { document.documentElement.dataset.swReady = '1'; });
    }
    try { off.db = await openDb(); } catch (e) { off.db = null; }
    if (off.db) {
      try { off.bundle = (await kvGet('bundle')) || null; off.pageId = await pageId(); } catch (e) { /* fresh */ }
    }
    await loadWasm();
    await buildVerifier();
    renderMode();
    await sync();
    document.documentElement.dataset.offlineReady = off.bundle ? '1' : '0';
    setInterval(sync, 60000);
  }

  // Enrollment codes of the wallet (docs/FORMAT.md §9, `IKDHK1:` + an `ikdpk1:` key): open the
  // issuing panel with that holder key; the server checks the key (POST /v1/credentials).
  function enrollment(text) {
    if (!/^IKDHK1:/.test(text)) return false;
    $('issue-holder').textContent = text.slice('IKDHK1:'.length);
    $('issue').hidden = false;
    $('issue-status').textContent = ''; $('issue-status').dataset.code = '';
    $('issue-qr').hidden = true; $('issue-text').hidden = true;
    return true;
  }
  $('issue-close').addEventListener('click', () => { $('issue').hidden = true; focusInput(); });
  $('issue-btn').addEventListener('click', async () => {
    const st = $('issue-status');
    let claims;
    try { claims = JSON.parse($('issue-claims').value); } catch (e) { st.textContent = e.message; st.dataset.code = 'invalid_json'; return; }
    const body = { claims: claims, holder_key: $('issue-holder').textContent, valid_days: Number($('issue-days').value) || undefined };
    const photo = $('issue-photo').files[0];
    if (photo) {
      const bytes = new Uint8Array(await photo.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      body.photo = btoa(bin);
    }
    try {
      const resp = await fetch('/v1/credentials', {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + $('issue-token').value }),
        body: JSON.stringify(body)
      });
      const b = await resp.json().catch(() => null);
      if (resp.status === 404 || resp.status === 405) { st.textContent = t('issue_unavailable'); st.dataset.code = 'issue_unavailable'; return; }
      if (!resp.ok || !b) { st.textContent = b && b.error ? b.error.message : 'HTTP ' + resp.status; st.dataset.code = b && b.error ? b.error.code : 'http'; return; }
      st.textContent = t('issue_done').replace('{s}', b.serial); st.dataset.code = 'issued';
      $('issue-qr').src = b.qr_png; $('issue-qr').hidden = false;
      $('issue-text').value = b.qr; $('issue-text').hidden = false;
    } catch (e) { st.textContent = t('network_error'); st.dataset.code = 'network'; }
  });

  applyLang();
  checkTrust();
  setInterval(checkTrust, 60000);
  loadSamples();
  focusInput();
  startOffline();
})();
