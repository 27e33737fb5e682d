//! The wasm-bindgen exports: JS values in, [`crate::api`] called, string arrays out; errors
//! thrown as JS `Error`s with `name = "IkdError"` and a `code`.

use ikd_core::Lang;
use js_sys::{Array, Reflect, Uint8Array, Uint8ClampedArray};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::api::{self, ReaderError};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of a read; every field is optional. */
export interface ReadOptions {
  /** "id" (Bahasa Indonesia, the default) or "en"; an Accept-Language value also works. */
  lang?: string;
}

/** What the reader throws: an Error with the core's stable code. */
export interface IkdError extends Error {
  name: "IkdError";
  code: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The JS options object (TypeScript `ReadOptions`).
    #[wasm_bindgen(typescript_type = "ReadOptions")]
    pub type ReadOptions;
    /// The pixel buffer: `Uint8Array` or `Uint8ClampedArray` (`ImageData.data`).
    #[wasm_bindgen(typescript_type = "Uint8Array | Uint8ClampedArray")]
    pub type Pixels;
}

/// The error thrown to JS: an `Error` named `IkdError` with the stable `code`.
fn throw(e: ReaderError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("IkdError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(&e.code));
    err.into()
}

/// `options.lang`, Bahasa Indonesia when absent.
fn lang(options: Option<ReadOptions>) -> Result<Lang, JsValue> {
    let Some(obj) = options.map(JsValue::from) else { return Ok(Lang::Id) };
    if obj.is_undefined() || obj.is_null() {
        return Ok(Lang::Id);
    }
    if !obj.is_object() {
        return Err(throw(ReaderError::bad_argument("options", Lang::Id)));
    }
    let v = Reflect::get(&obj, &JsValue::from_str("lang")).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(Lang::Id);
    }
    v.as_string()
        .map(|l| Lang::from_header(&l))
        .ok_or_else(|| throw(ReaderError::bad_argument("options.lang", Lang::Id)))
}

fn bytes(v: &JsValue) -> Option<Vec<u8>> {
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Some(a.to_vec());
    }
    v.dyn_ref::<Uint8ClampedArray>().map(Uint8ClampedArray::to_vec)
}

fn strings(texts: Vec<String>) -> Vec<JsValue> {
    texts.into_iter().map(JsValue::from).collect()
}

/// Reads every QR code in a PNG, JPEG or WebP file: the texts of the codes, IKD codes first.
#[wasm_bindgen(js_name = readImage, unchecked_return_type = "string[]")]
pub fn read_image(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] file: &JsValue,
    options: Option<ReadOptions>,
) -> Result<Array, JsValue> {
    let lang = lang(options)?;
    let data = bytes(file).ok_or_else(|| throw(ReaderError::bad_argument("bytes", lang)))?;
    api::read_image(&data, lang).map(|t| strings(t).into_iter().collect()).map_err(throw)
}

/// Reads every QR code in a camera frame (`ImageData.data`, 8-bit RGBA): the texts of the
/// codes, IKD codes first.
#[wasm_bindgen(js_name = readFrame, unchecked_return_type = "string[]")]
pub fn read_frame(rgba: &Pixels, width: f64, height: f64, options: Option<ReadOptions>) -> Result<Array, JsValue> {
    let lang = lang(options)?;
    let dim = |v: f64, what: &str| -> Result<u32, JsValue> {
        if v.is_finite() && v.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&v) {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole, in 1..=u32::MAX
            Ok(v as u32)
        } else {
            Err(throw(ReaderError::bad_argument(what, lang)))
        }
    };
    let (w, h) = (dim(width, "width")?, dim(height, "height")?);
    let data = bytes(rgba).ok_or_else(|| throw(ReaderError::bad_argument("rgba", lang)))?;
    api::read_frame(&data, w, h, lang).map(|t| strings(t).into_iter().collect()).map_err(throw)
}

// ---- Rendering (the wallet page): `renderSvg(text, {ecLevel, lang}?)` ----

#[wasm_bindgen(typescript_custom_section)]
const TS_RENDER_TYPES: &'static str = r#"
/** Options of `renderSvg`; every field is optional. */
export interface RenderOptions {
  /** "L", "M" (the core's default), "Q" or "H". */
  ecLevel?: string;
  /** "id" (Bahasa Indonesia, the default) or "en", for error messages. */
  lang?: string;
}
"#;

/// Draws the QR code of `text` with the core's renderer: `{svg, version}`, the SVG document
/// (one module = one user unit, 4 modules of quiet zone) and the QR version.
/// `options.ecLevel` is `"L"`, `"M"` (the default), `"Q"` or `"H"`.
#[wasm_bindgen(js_name = renderSvg, unchecked_return_type = "{ svg: string, version: number }")]
pub fn render_svg(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "RenderOptions | undefined")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    let lang = lang(Some(options.clone().unchecked_into()))?;
    let ec_name = if options.is_object() {
        let v = Reflect::get(options, &JsValue::from_str("ecLevel")).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() || v.is_null() {
            None
        } else {
            Some(v.as_string().ok_or_else(|| throw(ReaderError::bad_argument("options.ecLevel", lang)))?)
        }
    } else {
        None
    };
    let ec = crate::render::ec_level(ec_name.as_deref(), lang).map_err(throw)?;
    let (svg, version) = crate::render::render_svg(text, ec, lang).map_err(throw)?;
    let out = js_sys::Object::new();
    // Setting properties on a fresh plain object cannot fail.
    let _ = Reflect::set(&out, &JsValue::from_str("svg"), &JsValue::from_str(&svg));
    let _ = Reflect::set(&out, &JsValue::from_str("version"), &JsValue::from(version));
    Ok(out.into())
}

// ---- The wallet's fallback key (no WebCrypto Ed25519): `holderKeyFromSeed`, `signWithSeed` ----

/// The `ikdpk1:` public key of a 32-byte seed drawn by the page (`crypto.getRandomValues`):
/// the wallet's weaker holder key where the browser has no WebCrypto Ed25519.
#[wasm_bindgen(js_name = holderKeyFromSeed)]
pub fn holder_key_from_seed(seed: &[u8]) -> Result<String, JsValue> {
    crate::keys::public_key(seed, Lang::default()).map_err(throw)
}

/// The Ed25519 signature of `message` (a presentation's `signingBytes`) under the seed's key.
#[wasm_bindgen(js_name = signWithSeed)]
pub fn sign_with_seed(seed: &[u8], message: &[u8]) -> Result<Vec<u8>, JsValue> {
    crate::keys::sign(seed, message, Lang::default()).map(|s| s.to_vec()).map_err(throw)
}
