//! The printable card: a PNG laid out like the front of a KTP-el, 1011×638 px (85.6×54 mm at
//! 300 dpi), with the credential's QR code. Text is drawn with DejaVu Sans Condensed, embedded
//! in the binary (Bitstream Vera / DejaVu licence, see `ikd-cli/assets/DejaVu-LICENSE.txt`),
//! so a card renders the same on every machine.

use std::io::Cursor;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use ikd_core::render::{self, ErrorCorrection};
use ikd_core::{Claims, Timestamp};
use image::imageops::{self, FilterType};
use image::{ImageFormat, Rgb, RgbImage};

/// Card width in pixels (85.6 mm at 300 dpi).
pub const WIDTH: u32 = 1011;
/// Card height in pixels (54 mm at 300 dpi).
pub const HEIGHT: u32 = 638;
/// Largest pixels per QR module on the card (0.51 mm at 300 dpi).
const MAX_MODULE_PX: u32 = 6;
/// The QR code's largest side on the card, quiet zone included.
const MAX_QR_SIDE: u32 = 470;

const INK: [u8; 3] = [18, 28, 58];
const LABEL: [u8; 3] = [70, 88, 120];
const HEADER_INK: [u8; 3] = [10, 24, 70];

/// What goes on the card.
#[derive(Debug)]
pub struct CardData<'a> {
    /// The resident's claims.
    pub claims: &'a Claims,
    /// The credential text (for the QR code).
    pub credential: &'a str,
    /// The embedded WebP thumbnail, if any.
    pub photo: Option<&'a [u8]>,
    /// The issuing office.
    pub issuer_name: &'a str,
    /// Start of validity.
    pub valid_from: Timestamp,
    /// End of validity.
    pub expires_at: Timestamp,
}

struct Fonts<'f> {
    regular: FontRef<'f>,
    bold: FontRef<'f>,
}

fn blend(img: &mut RgbImage, x: i32, y: i32, color: [u8; 3], cov: f32) {
    let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else { return };
    if x >= img.width() || y >= img.height() {
        return;
    }
    let a = cov.clamp(0.0, 1.0);
    let p = img.get_pixel_mut(x, y);
    for (c, t) in p.0.iter_mut().zip(color) {
        *c = (f32::from(*c) * (1.0 - a) + f32::from(t) * a).round() as u8;
    }
}

fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let s = font.as_scaled(PxScale::from(size));
    let mut w = 0.0;
    let mut prev = None;
    for ch in text.chars() {
        let id = s.glyph_id(ch);
        if let Some(p) = prev {
            w += s.kern(p, id);
        }
        w += s.h_advance(id);
        prev = Some(id);
    }
    w
}

/// Draws `text` with its top at `y`; returns the width drawn.
fn draw_text(img: &mut RgbImage, font: &FontRef<'_>, size: f32, x: f32, y: f32, text: &str, color: [u8; 3]) -> f32 {
    let s = font.as_scaled(PxScale::from(size));
    let baseline = y + s.ascent();
    let mut caret = x;
    let mut prev = None;
    for ch in text.chars() {
        let id = s.glyph_id(ch);
        if let Some(p) = prev {
            caret += s.kern(p, id);
        }
        let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, baseline));
        caret += s.h_advance(id);
        prev = Some(id);
        if let Some(outlined) = font.outline_glyph(glyph) {
            let b = outlined.px_bounds();
            outlined.draw(|gx, gy, cov| {
                blend(img, b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, color, cov);
            });
        }
    }
    caret - x
}

/// Splits `text` into lines no wider than `max` (a word longer than a line is cut).
fn wrap(font: &FontRef<'_>, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let candidate = if cur.is_empty() { word.to_owned() } else { format!("{cur} {word}") };
        if text_width(font, size, &candidate) <= max || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_owned();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Draws a label and a value (wrapped, shrunk to fit at most `max_lines`); returns the new y.
#[allow(clippy::too_many_arguments)]
fn field(
    img: &mut RgbImage,
    f: &Fonts<'_>,
    x: f32,
    y: f32,
    width: f32,
    label: &str,
    value: &str,
    size: f32,
    max_lines: usize,
) -> f32 {
    draw_text(img, &f.regular, 17.0, x, y, label, LABEL);
    let mut size = size;
    let mut lines = wrap(&f.bold, size, value, width);
    while (lines.len() > max_lines || lines.iter().any(|l| text_width(&f.bold, size, l) > width)) && size > 12.0 {
        size -= 1.0;
        lines = wrap(&f.bold, size, value, width);
    }
    let mut yy = y + 21.0;
    for l in lines.iter().take(max_lines) {
        draw_text(img, &f.bold, size, x, yy, l, INK);
        yy += size * 1.18;
    }
    yy + 9.0
}

fn centered(img: &mut RgbImage, font: &FontRef<'_>, size: f32, y: f32, text: &str, color: [u8; 3]) {
    let w = text_width(font, size, text);
    draw_text(img, font, size, (WIDTH as f32 - w) / 2.0, y, text, color);
}

fn fill_rect(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, color: [u8; 3]) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, Rgb(color));
        }
    }
}

fn dmy(t: Timestamp) -> String {
    let d = t.date();
    format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year())
}

/// Renders the card as PNG bytes.
pub fn render_card(d: &CardData<'_>) -> Result<Vec<u8>, String> {
    let fonts = Fonts {
        regular: FontRef::try_from_slice(dejavu::sans_condensed::regular()).map_err(|e| e.to_string())?,
        bold: FontRef::try_from_slice(dejavu::sans_condensed::bold()).map_err(|e| e.to_string())?,
    };
    // Background: a pale blue wash, darker at the top, as on the KTP-el.
    let mut img = RgbImage::from_fn(WIDTH, HEIGHT, |_, y| {
        let t = y as f32 / HEIGHT as f32;
        let mix = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
        Rgb([mix(196.0, 236.0), mix(222.0, 244.0), mix(244.0, 250.0)])
    });
    // A faint diagonal guilloche-like pattern.
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            if (x + 2 * y) % 23 == 0 || (3 * x + y) % 41 == 0 {
                blend(&mut img, x as i32, y as i32, [150, 185, 225], 0.18);
            }
        }
    }
    let a = &d.claims.alamat;
    centered(&mut img, &fonts.bold, 31.0, 16.0, &format!("PROVINSI {}", a.provinsi.as_str()), HEADER_INK);
    centered(&mut img, &fonts.bold, 31.0, 54.0, a.kabupaten_kota.as_str(), HEADER_INK);
    fill_rect(&mut img, 28, 100, WIDTH - 56, 2, [90, 120, 170]);

    // The QR code, right side.
    let modules = render::modules(d.credential, ErrorCorrection::M, 4).map_err(|e| e.to_string())?;
    let n = u32::try_from(modules.len()).map_err(|e| e.to_string())?;
    let px = (MAX_QR_SIDE / n.max(1)).clamp(1, MAX_MODULE_PX);
    let side = n * px;
    let qr_x = WIDTH - 28 - side;
    let body_top = 112;
    let body_bottom = HEIGHT - 44;
    let qr_y = body_top + (body_bottom - body_top).saturating_sub(side) / 2;
    for (my, row) in modules.iter().enumerate() {
        for (mx, dark) in row.iter().enumerate() {
            let c = if *dark { [0, 0, 0] } else { [255, 255, 255] };
            fill_rect(&mut img, qr_x + mx as u32 * px, qr_y + my as u32 * px, px, px, c);
        }
    }

    // The photo, left of the QR code, with the place and date of issue under it.
    let mut text_right = qr_x - 24;
    if let Some(p) = d.photo {
        let thumb = ikd_core::photo::decode_thumbnail(p).map_err(|e| e.to_string())?;
        let (pw, ph) = (152u32, 190u32);
        let big = imageops::resize(&thumb, pw, ph, FilterType::CatmullRom);
        let px0 = qr_x - 24 - pw;
        let py0 = body_top + 12;
        fill_rect(&mut img, px0 - 3, py0 - 3, pw + 6, ph + 6, [60, 80, 120]);
        imageops::replace(&mut img, &big, i64::from(px0), i64::from(py0));
        let place = a.kabupaten_kota.as_str().trim_start_matches("KABUPATEN ").trim_start_matches("KOTA ");
        let cx = px0 as f32 + pw as f32 / 2.0;
        for (i, t) in [place.to_owned(), dmy(d.valid_from)].iter().enumerate() {
            let w = text_width(&fonts.regular, 17.0, t);
            draw_text(&mut img, &fonts.regular, 17.0, cx - w / 2.0, (py0 + ph + 10) as f32 + i as f32 * 21.0, t, INK);
        }
        text_right = px0 - 20;
    }

    // The text column.
    let x = 36.0;
    let width = text_right as f32 - x;
    let c = d.claims;
    let mut y = body_top as f32 + 8.0;
    y = field(&mut img, &fonts, x, y, width, "NIK", &c.nik.masked(), 30.0, 1);
    y = field(&mut img, &fonts, x, y, width, "Nama", c.nama.as_str(), 25.0, 2);
    let birth = format!("{}, {}", c.tempat_lahir.as_str(), {
        let b = c.tanggal_lahir;
        format!("{:02}-{:02}-{}", b.day(), u8::from(b.month()), b.year())
    });
    y = field(&mut img, &fonts, x, y, width, "Tempat/Tgl Lahir", &birth, 22.0, 1);
    y = field(
        &mut img,
        &fonts,
        x,
        y,
        width,
        "Jenis Kelamin / Gol. Darah",
        &format!("{} / {}", c.jenis_kelamin.as_str(), c.golongan_darah.as_str()),
        22.0,
        1,
    );
    y = field(
        &mut img,
        &fonts,
        x,
        y,
        width,
        "Berlaku (IKD)",
        &format!("{} s.d. {}", dmy(d.valid_from), dmy(d.expires_at)),
        22.0,
        1,
    );
    let _ = field(&mut img, &fonts, x, y, width, "Penerbit", d.issuer_name, 20.0, 2);

    fill_rect(&mut img, 28, HEIGHT - 40, WIDTH - 56, 1, [90, 120, 170]);
    draw_text(
        &mut img,
        &fonts.regular,
        16.0,
        36.0,
        (HEIGHT - 32) as f32,
        "IKD \u{2014} Identitas Kependudukan Digital \u{00b7} Pindai kode QR untuk verifikasi",
        LABEL,
    );
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
