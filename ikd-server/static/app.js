// IKD Verify counter page. No dependencies, no network access beyond this server.
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
      footer: 'Verifikasi dilakukan di server ini tanpa internet. Data pribadi tidak disimpan.',
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
      footer: 'Verification runs on this server without internet. No personal data is stored.',
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
    if (resp.ok && body && body.verdict) { show(body); return 'ok'; }
    const msg = body && body.error ? body.error.message : ('HTTP ' + resp.status);
    return { status: resp.status, code: body && body.error ? body.error.code : '', message: msg };
  }

  async function verifyText(text) {
    hideResult();
    setStatus(t('checking'));
    try {
      const resp = await fetch('/v1/verify', {
        method: 'POST', headers: headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(Object.assign({ qr: text }, options()))
      });
      const r = await handle(resp);
      if (r !== 'ok') setStatus(r.message, true);
    } catch (e) {
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
    try {
      const r = await verifyImage(f, type);
      if (r !== 'ok') setStatus(r.message, true);
    } catch (e) {
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
      canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
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
  async function loadPolicies() {
    try {
      const resp = await fetch('/v1/policies', { headers: headers() });
      if (!resp.ok) return;
      const body = await resp.json();
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

  applyLang();
  checkTrust();
  setInterval(checkTrust, 60000);
  loadPolicies();
  loadSamples();
  focusInput();
})();
