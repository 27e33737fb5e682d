//! In-process router tests (tower::ServiceExt::oneshot) for every endpoint and every error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use common::*;
use ikd_core::Timestamp;
use ikd_server::config::{IssuanceConfig, Limits};
use ikd_server::store::{CredentialState, SqliteOptions, SqliteStore, Store, StoreError};
use serde_json::json;

// ---------------------------------------------------------------- verification

#[tokio::test]
async fn verify_valid_text_in_both_languages() {
    let h = harness(Options::default()).await;
    let text = issue(&h.issuer);
    let v = verify(&h.router, &text).await;
    assert_eq!(v["verdict"], "VALID");
    assert_eq!(v["code"], "ok");
    assert_eq!(v["message"], "Kredensial sah.");
    assert_eq!(v["lang"], "id");
    assert_eq!(v["demo"], false);
    // Issue 14: one masking rule for every front door; the NIK only in full on request.
    assert_eq!(v["claims"]["nik"], format!("************{}", &NIK[12..]), "masked by default");
    let r = post_json(&h.router, "/v1/verify", &json!({ "qr": text, "show_nik": true })).await;
    assert_eq!(r.json()["claims"]["nik"], NIK, "`show_nik` gives the NIK in full");
    assert_eq!(v["claims"]["nama"], NAME);
    assert_eq!(v["claims"]["age_over_17"], true);
    assert_eq!(v["issuer"]["name"], ISSUER_NAME);
    // Issue 14: the photo is one object in every front end.
    assert_eq!(v["photo"]["present"], false);
    assert!(v["photo"]["data"].is_null());
    let report = v["report"].as_array().unwrap();
    assert!(report.iter().take(6).all(|c| c["outcome"] == "passed"), "{report:?}");
    // The server's own issuer key: the revocation check is in the report too.
    assert_eq!(report.last().unwrap()["check"], "revocation");

    let r = send(
        &h.router,
        Request::post("/v1/verify")
            .header("content-type", "application/json")
            .header("accept-language", "en-US,en;q=0.9,id;q=0.5")
            .body(Body::from(json!({"qr": text}).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["message"], "The credential is valid.");
    assert_eq!(r.json()["lang"], "en");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn verify_rejections_have_codes_and_hide_claims() {
    let h = harness(Options::default()).await;
    let text = issue(&h.issuer);
    let bad = verify(&h.router, &tampered(&text)).await;
    assert_eq!(bad["verdict"], "INVALID");
    assert_eq!(bad["code"], "signature_invalid");
    assert!(bad["claims"].is_null(), "claims of a forged credential are never shown");
    assert!(bad["message"].as_str().unwrap().contains("Tanda tangan"));

    let unknown = verify(&h.router, &issue(&h.stranger)).await;
    assert_eq!(unknown["verdict"], "UNDETERMINED");
    assert_eq!(unknown["code"], "issuer_unknown");
    assert!(unknown["credential"]["key_id"].is_string());

    let junk = verify(&h.router, "hello").await;
    assert_eq!(junk["verdict"], "INVALID");
    assert_eq!(junk["code"], "decode_wrong_prefix");
    assert!(junk["credential"].is_null());

    let old = issue_with(&h.issuer, &claims(), Timestamp::now().plus(-400 * DAY), 30, None);
    let expired = verify(&h.router, &old).await;
    assert_eq!(expired["verdict"], "INVALID");
    assert_eq!(expired["code"], "expired");
}

#[tokio::test]
async fn verify_returns_the_photo_as_png_data_url() {
    let h = harness(Options::default()).await;
    let thumb = ikd_core::photo::make_thumbnail(&face_png(), 800, &ikd_core::photo::PhotoLimits::default()).unwrap();
    let text = issue_with(&h.issuer, &claims(), Timestamp::now().plus(-DAY), 365, Some(thumb.as_bytes().to_vec()));
    let v = verify(&h.router, &text).await;
    assert_eq!(v["verdict"], "VALID");
    assert_eq!(v["photo"]["present"], true);
    assert_eq!(v["photo"]["bytes"], thumb.as_bytes().len());
    let url = v["photo"]["data"].as_str().unwrap();
    let b64 = url.strip_prefix("data:image/png;base64,").unwrap();
    let png = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
    assert_eq!((img.width(), img.height()), (thumb.width(), thumb.height()));
}

#[tokio::test]
async fn verify_text_errors_400_413_415() {
    let h = harness(Options::default()).await;
    let raw =
        |ct: &str, body: String| Request::post("/v1/verify").header("content-type", ct).body(Body::from(body)).unwrap();
    let r = send(&h.router, raw("application/json", "{\"qr\": ".into())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_json");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("not valid JSON"));

    let r = send(&h.router, raw("application/json", "{\"text\": \"x\"}".into())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_request");

    let r = send(&h.router, raw("text/plain", "{\"qr\": \"x\"}".into())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.error_code(), "unsupported_media_type");

    let r = send(&h.router, Request::post("/v1/verify").body(Body::from("{}")).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let big = format!("{{\"qr\": \"{}\"}}", "A".repeat(70 * 1024));
    let r = send(&h.router, raw("application/json", big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "payload_too_large");

    // Streamed in chunks: the limit applies while reading.
    let (mut tx, chan) = http_body_util::channel::Channel::<axum::body::Bytes, std::io::Error>::new(4);
    tokio::spawn(async move {
        for _ in 0..80 {
            if tx.send_data(axum::body::Bytes::from(vec![b' '; 1024])).await.is_err() {
                break;
            }
        }
    });
    let r = send(
        &h.router,
        Request::post("/v1/verify").header("content-type", "application/json").body(Body::new(chan)).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
}

#[tokio::test]
async fn not_found_and_method_not_allowed_are_json() {
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/v1/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
    let r = get(&h.router, "/v1/verify").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.error_code(), "method_not_allowed");
    assert!(r.headers.get("allow").is_some());
}

// ---------------------------------------------------------------- images

fn image_req(ct: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post("/v1/verify/image").header("content-type", ct).body(Body::from(bytes)).unwrap()
}

fn multipart(field: &str, ct: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "ikdTESTboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"{field}\"; filename=\"qr\"\r\nContent-Type: {ct}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/v1/verify/image")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn verify_image_png_jpeg_and_multipart() {
    let h = harness(Options::default()).await;
    let text = issue(&h.issuer);
    let r = send(&h.router, image_req("image/png", qr_png(&text))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["verdict"], "VALID");
    assert_eq!(v["claims"]["nama"], NAME);
    assert_eq!(v["scan"]["codes_found"], 1);

    let r = send(&h.router, image_req("image/jpeg", qr_photo_jpeg(&text))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["verdict"], "VALID");

    let r = send(&h.router, multipart("image", "image/png", &qr_png(&tampered(&text)))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["code"], "signature_invalid");

    let r = send(&h.router, multipart("other", "image/png", &qr_png(&text))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&h.router, multipart("image", "text/plain", b"hello")).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn verify_image_errors_422_415_413() {
    let h = harness(Options::default()).await;
    let r = send(&h.router, image_req("image/png", blank_png())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.error_code(), "no_qr_found");
    assert!(!r.json()["error"]["message"].as_str().unwrap().is_empty());

    let r = send(&h.router, image_req("image/png", b"\x89PNG\r\n\x1a\nthis is not really a png".to_vec())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.error_code(), "image_corrupt");

    let r = send(&h.router, image_req("image/png", b"GIF89a....".to_vec())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.text());
    assert_eq!(r.error_code(), "image_unsupported_format");

    let r = send(&h.router, image_req("application/json", b"{}".to_vec())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.error_code(), "unsupported_media_type");

    let r = send(&h.router, image_req("image/jpeg", vec![0u8; 8 * 1024 * 1024 + 1])).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "payload_too_large");

    // English hint.
    let r = send(
        &h.router,
        Request::post("/v1/verify/image")
            .header("content-type", "image/png")
            .header("accept-language", "en")
            .body(Body::from(blank_png()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(msg.is_ascii() && !msg.contains("Tidak"), "{msg}");
}

/// The counter page's camera loop sends `source=camera`: frames are read with the live-frame
/// effort (a code is still read; an empty frame still answers no_qr_found, sooner).
#[tokio::test]
async fn camera_frames_use_the_live_frame_effort() {
    let h = harness(Options::default()).await;
    let text = issue(&h.issuer);
    let req = |source: &str, bytes: Vec<u8>| {
        Request::post(format!("/v1/verify/image?source={source}"))
            .header("content-type", "image/jpeg")
            .body(Body::from(bytes))
            .unwrap()
    };
    let r = send(&h.router, req("camera", qr_photo_jpeg(&text))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["verdict"], "VALID");
    let r = send(&h.router, req("upload", qr_photo_jpeg(&text))).await;
    assert_eq!(r.json()["verdict"], "VALID");
    let blank = Request::post("/v1/verify/image?source=camera")
        .header("content-type", "image/png")
        .body(Body::from(blank_png()))
        .unwrap();
    let r = send(&h.router, blank).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "no_qr_found"), "{}", r.text());
    let r = send(&h.router, req("telescope", qr_photo_jpeg(&text))).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::BAD_REQUEST, "invalid_request"), "{}", r.text());
}

// ---------------------------------------------------------------- batch

#[tokio::test]
async fn batch_verifies_in_order_and_caps_the_count() {
    let h = harness(Options::default()).await;
    let good = issue(&h.issuer);
    let texts = vec![good.clone(), tampered(&good), "nonsense".to_owned(), issue(&h.stranger), good];
    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": texts })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["count"], 5);
    let codes: Vec<&str> = v["results"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["ok", "signature_invalid", "decode_wrong_prefix", "issuer_unknown", "ok"]);
    assert_eq!(v["results"][4]["index"], 4);
    assert_eq!(v["results"][0]["claims"]["nik"], format!("************{}", &NIK[12..]));
    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": [issue(&h.issuer)], "show_nik": true })).await;
    assert_eq!(r.json()["results"][0]["claims"]["nik"], NIK);

    let too_many: Vec<String> = (0..257).map(|_| "x".to_owned()).collect();
    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": too_many })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "batch_too_large");
    assert_eq!(r.json()["error"]["max"], 256);

    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": "not a list" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_request");

    // 256 full-size texts fit the batch body limit.
    let full: Vec<String> = (0..256).map(|_| format!("IKD1:{}", "A".repeat(4000))).collect();
    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": full })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", &r.text()[..200.min(r.text().len())]);
}

/// `"answer": "verdicts"`: per text only its index, verdict, code and (when not VALID) the
/// message, with the core's summary; the server's own revocation lowers a line as it lowers a
/// full view. An unknown answer is refused with its own error.
#[tokio::test]
async fn batch_answers_only_verdicts_when_asked() {
    let h = harness(Options::default()).await;
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "valid_days": 30 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let own = r.json()["qr"].as_str().unwrap().to_owned();
    let serial = r.json()["serial"].as_u64().unwrap();
    let r = admin_post(&h.router, &format!("/v1/credentials/{serial}/revoke"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let good = issue(&h.issuer);
    let texts = vec![good.clone(), tampered(&good), own, "nonsense".to_owned(), good];
    let body = json!({ "qrs": texts, "answer": "verdicts" });
    let r = post_json(&h.router, "/v1/verify/batch", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["count"], 5);
    let items = v["results"].as_array().unwrap();
    let lines: Vec<(u64, &str, &str)> = items
        .iter()
        .map(|x| (x["index"].as_u64().unwrap(), x["verdict"].as_str().unwrap(), x["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            (0, "VALID", "ok"),
            (1, "INVALID", "signature_invalid"),
            (2, "INVALID", "revoked"),
            (3, "INVALID", "decode_wrong_prefix"),
            (4, "VALID", "ok")
        ]
    );
    // Nothing about the person or the credential; a message only when not VALID.
    let keys: std::collections::BTreeSet<&str> = items[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "index", "verdict"].into());
    let keys: std::collections::BTreeSet<&str> = items[2].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "index", "message", "verdict"].into());
    assert_eq!(items[2]["message"], ikd_core::Reason::Revoked.message(ikd_core::Lang::Id));
    assert!(!r.text().contains(&NIK[12..]), "no claim in a verdicts answer: {}", r.text());
    assert_eq!(
        v["summary"],
        json!({"total": 5, "valid": 2, "invalid": 3, "undetermined": 0, "by_code": [
            {"verdict": "INVALID", "code": "decode_wrong_prefix", "count": 1},
            {"verdict": "INVALID", "code": "revoked", "count": 1},
            {"verdict": "INVALID", "code": "signature_invalid", "count": 1},
        ]})
    );
    // The full answer (the default) carries the same summary.
    let full = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": texts, "answer": "full" })).await.json();
    assert_eq!(full["summary"], v["summary"]);
    assert_eq!(full["results"][0]["claims"]["nik"], format!("************{}", &NIK[12..]));

    // The verdict metrics count every text of both batches, by verdict and code.
    let m = get(&h.router, "/metrics").await.text();
    for line in [
        r#"ikd_verifications_total{code="ok",source="batch",verdict="VALID"} 4"#,
        r#"ikd_verifications_total{code="revoked",source="batch",verdict="INVALID"} 2"#,
        r#"ikd_verifications_total{code="signature_invalid",source="batch",verdict="INVALID"} 2"#,
        r#"ikd_verifications_total{code="decode_wrong_prefix",source="batch",verdict="INVALID"} 2"#,
    ] {
        assert!(m.contains(line), "{line} in {m}");
    }

    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": [], "answer": "short" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_request");
    assert!(r.text().contains("verdicts"), "{}", r.text());
}

// ---------------------------------------------------------------- issuing and revocation

#[tokio::test]
async fn issuing_requires_the_admin_token() {
    let h = harness(Options::default()).await;
    let body = json!({ "claims": claims_json() });
    let r = post_json(&h.router, "/v1/credentials", &body).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "unauthorized");
    assert!(r.headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    let r = send(
        &h.router,
        Request::post("/v1/credentials")
            .header("content-type", "application/json")
            .header("authorization", "Bearer wrong-token-wrong-token")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.text().contains(TOKEN));
    let r = send(
        &h.router,
        Request::post("/v1/credentials/1/revoke")
            .header("authorization", format!("Basic {TOKEN}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn issue_verify_revoke_round_trip() {
    let h = harness(Options::default()).await;
    let photo = base64::engine::general_purpose::STANDARD.encode(face_png());
    let r =
        admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "valid_days": 30, "photo": photo }))
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let issued = r.json();
    let serial = issued["serial"].as_u64().unwrap();
    assert_eq!(serial, 1);
    assert!(issued["qr_png"].as_str().unwrap().starts_with("data:image/png;base64,"));
    let qr = issued["qr"].as_str().unwrap();
    assert!(qr.len() <= ikd_core::PHOTO_CREDENTIAL_MAX_CHARS, "the photo is sized to fit a 22-M QR code");
    let v = verify(&h.router, qr).await;
    assert_eq!(v["verdict"], "VALID");
    assert!(v["photo"]["data"].as_str().unwrap().starts_with("data:image/png;base64,"));
    assert_eq!(v["credential"]["serial"], serial);

    // The registry row: issued, not revoked, no personal data in the database at all.
    let rec = h.state.store.credential(issued["key_id"].as_str().unwrap(), serial).await.unwrap().unwrap();
    assert_eq!(rec.state, CredentialState::Issued);
    assert_eq!(rec.status_index, issued["status_index"].as_u64().unwrap() as u32);
    assert!(!rec.revoked);

    let r = admin_post(&h.router, &format!("/v1/credentials/{serial}/revoke"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["already_revoked"], false);
    let v = verify(&h.router, qr).await;
    assert_eq!(v["verdict"], "INVALID");
    assert_eq!(v["code"], "revoked");
    assert!(v["claims"].is_null());
    assert_eq!(v["report"].as_array().unwrap().last().unwrap()["outcome"], "failed");
    let r = admin_post(&h.router, &format!("/v1/credentials/{serial}/revoke"), &json!({})).await;
    assert_eq!(r.json()["already_revoked"], true);

    let r = admin_post(&h.router, "/v1/credentials/999/revoke", &json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "credential_not_found");
    let r = admin_post(&h.router, "/v1/credentials/abc/revoke", &json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Nothing personal anywhere in the database file (registry and audit log).
    let _ = h.state.store.ping().await;
    let db = std::fs::read(h.dir.path().join("ikd-server.sqlite3")).unwrap();
    let wal = std::fs::read(h.dir.path().join("ikd-server.sqlite3-wal")).unwrap_or_default();
    for hay in [&db, &wal] {
        for needle in [NIK.as_bytes(), NAME.as_bytes(), b"CIKANDE".as_slice()] {
            assert!(!hay.windows(needle.len()).any(|w| w == needle), "personal data in the store");
        }
    }
}

#[tokio::test]
async fn issuing_validation_errors() {
    let h = harness(Options::default()).await;
    let mut c = claims_json();
    c["nik"] = json!("3604055708900");
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": c })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.error_code(), "claims_invalid_field");
    assert_eq!(r.json()["error"]["field"], "nik");

    // Issue 14: the range is the core issuing policy's rule, with its own code.
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "valid_days": 0 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "issue_valid_days_out_of_range");
    assert_eq!(r.json()["error"]["field"], "valid_days");

    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "holder_key": "ikdpk1:AAAA" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "key_wrong_length");

    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "photo": "***" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "bad_base64");

    let gif = base64::engine::general_purpose::STANDARD.encode(b"GIF89a......");
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "photo": gif })).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.error_code(), "photo_unsupported_format");

    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json(), "extra": 1 })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "invalid_request");
}

#[tokio::test]
async fn concurrent_issuing_gives_unique_serials_and_status_indices() {
    let h = harness(Options::default()).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let router = h.router.clone();
        tasks.push(tokio::spawn(async move {
            admin_post(&router, "/v1/credentials", &json!({ "claims": claims_json() })).await.json()
        }));
    }
    let mut serials = BTreeSet::new();
    let mut indices = BTreeSet::new();
    for t in tasks {
        let v = t.await.unwrap();
        serials.insert(v["serial"].as_u64().unwrap());
        indices.insert(v["status_index"].as_u64().unwrap());
    }
    assert_eq!(serials, (1..=12).collect());
    assert_eq!(indices.len(), 12);
}

#[tokio::test]
async fn issuer_endpoints_are_absent_without_an_issuer_key() {
    let h = harness(Options { issuing: false, ..Options::default() }).await;
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": claims_json() })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = admin_post(&h.router, "/v1/credentials/1/revoke", &json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- store

#[tokio::test]
async fn reservation_is_committed_before_signing_and_never_reused() {
    let dir = TempDir::new("store");
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let a = store.reserve_credential("abcdef", 1, 16).await.unwrap();
    // "Crash": the process dies before signing. Reopen the database.
    drop(store);
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let row = store.credential("abcdef", a.serial).await.unwrap().unwrap();
    assert_eq!(row.state, CredentialState::Reserved, "the allocation survived the crash");
    let mut indices = BTreeSet::from([a.status_index]);
    for expect in 2..=16u64 {
        let r = store.reserve_credential("abcdef", 1, 16).await.unwrap();
        assert_eq!(r.serial, expect);
        assert!(r.status_index < 16);
        assert!(indices.insert(r.status_index), "status index reused");
    }
    assert!(matches!(store.reserve_credential("abcdef", 1, 16).await, Err(StoreError::StatusListFull)));
    // Another key has its own serials and list.
    assert_eq!(store.reserve_credential("012345", 1, 16).await.unwrap().serial, 1);
}

// ---------------------------------------------------------------- audit

/// A `POST /v1/verify/batch` is one audit entry (`verify_batch`) listing each text's index,
/// verdict, code, serial and key id; the chain covers the list, so changing a line breaks it.
#[tokio::test]
async fn a_batch_is_one_audit_entry_listing_its_texts() {
    let h = harness(Options::default()).await;
    let good = issue(&h.issuer);
    let texts = vec![good.clone(), "junk".to_owned(), tampered(&good)];
    let r = send(
        &h.router,
        Request::post("/v1/verify/batch")
            .header("content-type", "application/json")
            .header("x-counter-id", "loket-07")
            .body(Body::from(json!({ "qrs": texts, "answer": "verdicts" }).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // An empty batch processed nothing and is not recorded.
    let r = post_json(&h.router, "/v1/verify/batch", &json!({ "qrs": [] })).await;
    assert_eq!(r.status, StatusCode::OK);
    let entries = h.state.store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0].record;
    assert_eq!((e.event, e.source, e.actor.as_str()), ("verify_batch", "batch", "loket-07"));
    assert_eq!((e.verdict.as_str(), e.code.as_str(), e.serial, e.key_id.as_deref()), ("INVALID", "batch", None, None));
    let key_id = h.issuer.public_key().key_id().to_string();
    let serial = ikd_core::UnverifiedCredential::decode(&good).unwrap().header().serial.get();
    assert_eq!(
        e.items.as_deref().unwrap(),
        format!(
            "0 VALID ok {serial} {key_id}\n1 INVALID decode_wrong_prefix - -\n2 INVALID signature_invalid {serial} {key_id}"
        )
    );
    let audit_get = || {
        Request::get("/v1/audit/verify").header("authorization", format!("Bearer {TOKEN}")).body(Body::empty()).unwrap()
    };
    assert_eq!(send(&h.router, audit_get()).await.json()["ok"], true);
    // Turning the tampered text's line VALID behind the server's back breaks the chain there.
    let conn = rusqlite::Connection::open(h.dir.path().join("ikd-server.sqlite3")).unwrap();
    conn.execute(
        "UPDATE audit_log SET items = replace(items, '2 INVALID signature_invalid', '2 VALID ok') WHERE seq = 1",
        [],
    )
    .unwrap();
    let v = send(&h.router, audit_get()).await.json();
    assert_eq!((v["ok"].as_bool(), v["first_bad_seq"].as_u64()), (Some(false), Some(1)), "{v}");
}

#[tokio::test]
async fn audit_chain_records_verifications_and_detects_tampering() {
    let h = harness(Options::default()).await;
    let text = issue(&h.issuer);
    for (counter, t) in [("loket-01", text.clone()), ("loket-03", tampered(&text)), ("loket-02", "junk".into())] {
        let r = send(
            &h.router,
            Request::post("/v1/verify")
                .header("content-type", "application/json")
                .header("x-counter-id", counter)
                .body(Body::from(json!({ "qr": t }).to_string()))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let entries = h.state.store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].record.actor, "loket-01");
    assert_eq!(entries[0].record.verdict, "VALID");
    assert!(entries[0].record.serial.is_some() && entries[0].record.key_id.is_some());
    assert_eq!(entries[1].record.actor, "loket-03");
    assert_eq!(entries[1].record.code, "signature_invalid");
    assert_eq!(entries[2].record.serial, None);
    assert_eq!(entries[1].prev_hash, entries[0].hash);

    let r = get(&h.router, "/v1/audit/verify").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let audit_get = || {
        Request::get("/v1/audit/verify").header("authorization", format!("Bearer {TOKEN}")).body(Body::empty()).unwrap()
    };
    let r = send(&h.router, audit_get()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["ok"], true);
    assert_eq!(r.json()["entries"], 3);

    // Alter entry 2 behind the server's back.
    let conn = rusqlite::Connection::open(h.dir.path().join("ikd-server.sqlite3")).unwrap();
    conn.execute("UPDATE audit_log SET verdict = 'VALID', code = 'ok' WHERE seq = 2", []).unwrap();
    let r = send(&h.router, audit_get()).await;
    let v = r.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_seq"], 2);
    assert!(v["problem"].as_str().unwrap().contains("altered"));
    // Deleting an entry breaks the chain too.
    conn.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    let v = send(&h.router, audit_get()).await.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_seq"], 2);
}

// ---------------------------------------------------------------- ops

#[tokio::test]
async fn health_ready_metrics_info() {
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let r = get(&h.router, "/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["trusted_issuers"], 1);

    let text = issue(&h.issuer);
    verify(&h.router, &text).await;
    verify(&h.router, "junk").await;
    let _ = get(&h.router, "/nowhere").await;
    let r = get(&h.router, "/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    let m = r.text();
    assert!(m.contains(r#"ikd_http_requests_total{method="POST",route="/v1/verify",status="200"} 2"#), "{m}");
    assert!(m.contains(r#"ikd_verifications_total{code="ok",source="text",verdict="VALID"} 1"#), "{m}");
    assert!(m.contains(r#"ikd_verifications_total{code="decode_wrong_prefix",source="text",verdict="INVALID"} 1"#));
    assert!(m.contains(r#"route="unmatched""#));
    assert!(m.contains("ikd_http_request_duration_seconds_bucket"));
    assert!(!m.contains(NIK) && !m.contains("SITI"), "no personal data in metrics");

    let r = get(&h.router, "/v1/info").await;
    assert_eq!(r.json()["trusted_issuers"][0]["name"], ISSUER_NAME);
    assert_eq!(r.json()["limits"]["max_batch_items"], 256);

    let empty = harness(Options { trust: false, issuing: false, ..Options::default() }).await;
    let r = get(&empty.router, "/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.error_code(), "not_ready");
}

#[tokio::test]
async fn page_and_assets_are_served_with_a_strict_csp() {
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    let html = r.text();
    assert!(html.contains("qr-input") && !html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("demo-banner"));
    for (path, ct) in [("/static/app.js", "text/javascript"), ("/static/app.css", "text/css")] {
        let r = get(&h.router, path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with(ct));
        assert!(!r.text().contains("https://"), "{path} must not load anything from outside");
    }
}

#[tokio::test]
async fn request_timeout_gives_408() {
    let limits = Limits { request_timeout: Duration::from_millis(300), ..Limits::default() };
    let h = harness(Options { limits, ..Options::default() }).await;
    // A body that never finishes arriving (the sender stays open and silent).
    let (_tx, chan) = http_body_util::channel::Channel::<axum::body::Bytes, std::io::Error>::new(1);
    let r = send(
        &h.router,
        Request::post("/v1/verify").header("content-type", "application/json").body(Body::new(chan)).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(r.error_code(), "timeout");
}

// ---------------------------------------------------------------- OpenAPI

#[tokio::test]
async fn openapi_document_matches_the_router() {
    let dir = TempDir::new("openapi");
    let h = harness(Options::default()).await;
    // The demo router has every optional route; build one to get the full table.
    let cfg = ikd_server::Config {
        demo: true,
        data_dir: dir.path().to_owned(),
        demo_residents: dir.path().join("absent.json"),
        ..Default::default()
    };
    let demo = ikd_server::App::from_config(&cfg).await.unwrap();
    let (_, table) = ikd_server::app::routes(&demo.state);

    let r = get(&h.router, "/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
                assert!(op["responses"].is_object(), "{method} {path} has no responses");
            }
        }
    }
    let routed: BTreeSet<(String, String)> = table.iter().map(|(m, p)| (m.to_string(), (*p).to_owned())).collect();
    assert_eq!(routed, documented, "router and OpenAPI document differ");

    // Every documented operation really answers on the router (not 404/405).
    let demo_router = demo.router();
    for (method, path) in &documented {
        let p = path.replace("{serial}", "1");
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&p)
            .body(Body::empty())
            .unwrap();
        let r = send(&demo_router, req).await;
        assert!(
            r.status != StatusCode::NOT_FOUND && r.status != StatusCode::METHOD_NOT_ALLOWED
                || r.error_code() == "credential_not_found",
            "{method} {path}: {}",
            r.status
        );
    }
    // Every $ref resolves.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/").skip(1) {
        let target = part.split('"').next().unwrap();
        let mut node = &doc;
        for seg in target.split('/') {
            node = &node[seg];
        }
        assert!(!node.is_null(), "unresolved $ref #/{target}");
    }
}

// ---------------------------------------------------------------- demo mode

#[tokio::test]
async fn demo_mode_marks_everything() {
    let dir = TempDir::new("demo");
    let cfg = ikd_server::Config {
        demo: true,
        data_dir: dir.path().to_owned(),
        demo_residents: dir.path().join("absent.json"),
        ..Default::default()
    }; // falls back to the built-in residents
    let app = ikd_server::App::from_config(&cfg).await.unwrap();
    assert!(app.banner.iter().any(|l| l.contains("DEMO")));
    assert!(
        app.banner.iter().all(|l| !l.contains(&std::fs::read_to_string(dir.path().join("demo/admin-token")).unwrap()))
    );
    let router = app.router();

    let r = get(&router, "/v1/demo/samples").await;
    assert_eq!(r.headers["x-ikd-demo"], "1");
    let samples = r.json()["samples"].as_array().unwrap().clone();
    assert!(samples.len() >= 4, "{samples:?}");
    for s in &samples {
        let v = verify(&router, s["qr"].as_str().unwrap()).await;
        assert_eq!(v["demo"], true);
        assert_eq!(v["verdict"], s["expect"], "{}", s["label"]);
        assert_eq!(v["code"], s["expect_code"], "{}", s["label"]);
        // Issue 14: sample labels carry no English case slug; the page localises `variant`.
        assert!(s["label"].as_str().unwrap().starts_with(s["name"].as_str().unwrap()), "{s}");
        assert!(
            !s["label"].as_str().unwrap().contains("TAMPERED") && !s["label"].as_str().unwrap().contains('-'),
            "{s}"
        );
    }
    let variants: Vec<&str> = samples.iter().filter_map(|s| s["variant"].as_str()).collect();
    assert!(["original", "tampered", "revoked"].iter().all(|v| variants.contains(v)), "{variants:?}");
    let r = post_json(&router, "/v1/verify", &json!({"nope": 1})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["demo"], true, "errors are marked too");
    assert_eq!(r.headers["x-ikd-demo"], "1");
    let r = get(&router, "/nowhere").await;
    assert_eq!(r.json()["demo"], true);
    let r = get(&router, "/").await;
    assert!(r.text().contains("demo-banner") && r.text().contains("<title>DEMO"));
    assert_eq!(r.headers["x-ikd-demo"], "1");
    let r = get(&router, "/metrics").await;
    assert_eq!(r.headers["x-ikd-demo"], "1");
    // The demo issuer is the only one trusted.
    let r = get(&router, "/v1/info").await;
    assert_eq!(r.json()["trusted_issuers"].as_array().unwrap().len(), 1);
    assert!(r.json()["trusted_issuers"][0]["name"].as_str().unwrap().starts_with("DEMO"));
}

#[tokio::test]
async fn no_configuration_trusts_nothing_and_says_how_to_add_issuers() {
    let dir = TempDir::new("empty");
    let cfg = ikd_server::Config { data_dir: dir.path().to_owned(), ..Default::default() };
    let app = ikd_server::App::from_config(&cfg).await.unwrap();
    let banner = app.banner.join("\n");
    assert!(banner.contains("Trusted issuers: NONE"), "{banner}");
    assert!(banner.contains("ikd key new") && banner.contains("ikd trust add") && banner.contains("IKD_TRUST_STORE"));
    let router = app.router();
    let h = harness(Options::default()).await;
    let v = verify(&router, &issue(&h.issuer)).await;
    assert_eq!(v["verdict"], "UNDETERMINED");
    assert!(get(&router, "/v1/credentials").await.status == StatusCode::NOT_FOUND);
}

#[test]
fn every_error_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/SERVER.md")).unwrap();
    for (code, status) in ikd_server::error::CODES {
        assert!(doc.contains(&format!("`{code}`")), "docs/SERVER.md does not list the error code {code}");
        let row = doc.lines().find(|l| l.starts_with(&format!("| {status} |")) && l.contains(&format!("`{code}`")));
        assert!(row.is_some(), "{code} is not listed with status {status}");
    }
}

#[test]
fn a_trusted_public_test_key_is_flagged() {
    let mut trust = ikd_core::TrustStore::new();
    trust.add(ikd_core::TrustedIssuer {
        name: "TEST".into(),
        public_key: ikd_core::SecretKey::from_seed(&[0x11; 32]).public_key(),
        not_before: Timestamp::from_unix(ikd_core::format::WIRE_EPOCH),
        not_after: Timestamp::now(),
    });
    assert_eq!(ikd_server::app::trusted_test_keys(&trust).len(), 1);
    assert!(ikd_server::app::trusted_test_keys(&ikd_core::TrustStore::new()).is_empty());
}

#[tokio::test]
async fn secrets_never_show_in_debug_output() {
    let h = harness(Options::default()).await;
    let dbg = format!("{:?} {:?}", h.state, h.app);
    assert!(!dbg.contains(TOKEN), "{dbg}");
    assert!(dbg.contains("<redacted>"));
    let _ = IssuanceConfig::default();
}

#[tokio::test]
async fn regression_cli_and_server_cap_expiry_at_the_same_instant() {
    // Issue 14: the server ended a credential at 00:00Z of `berlaku_hingga`, the CLI at
    // 23:59:59Z. Both now call `ikd_core::issuance::plan`: the end of that day in WIB.
    let h = harness(Options::default()).await;
    let last_day = Timestamp::now().day_wib().saturating_add(time::Duration::days(30));
    let mut c = claims_json();
    c["berlaku_hingga"] = json!(last_day.to_string());
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": c, "valid_days": 365 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let expected = Timestamp::end_of_day_exclusive(last_day);
    assert_eq!(r.json()["expires_at"], expected.to_string());
    assert_eq!(ikd_core::issuance::card_end(&ikd_core::Claims::from_json_value(c).unwrap()), Some(expected));
}

#[tokio::test]
async fn regression_server_refuses_a_card_already_over_with_the_core_code() {
    // Issue 14: the refusal comes from the core issuing policy (`PlanError::CardExpired`).
    let h = harness(Options::default()).await;
    let yesterday = Timestamp::now().day_wib().saturating_sub(time::Duration::days(1));
    let mut c = claims_json();
    c["berlaku_hingga"] = json!(yesterday.to_string());
    let r = admin_post(&h.router, "/v1/credentials", &json!({ "claims": c, "valid_days": 365 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.error_code(), "issue_beyond_berlaku_hingga");
    assert_eq!(r.json()["error"]["field"], "berlaku_hingga");
}

// ---------------------------------------------------------------- offline page (issue 15)

fn page_upload(counter: Option<&str>, body: &serde_json::Value) -> Request<Body> {
    let mut b = Request::post("/v1/audit/entries").header("content-type", "application/json");
    if let Some(c) = counter {
        b = b.header("x-counter-id", c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

const PAGE_ID: &str = "0123456789abcdef0123456789abcdef";

fn page_entry(seq: u64, verdict: &str, code: &str) -> serde_json::Value {
    json!({"seq": seq, "at": Timestamp::now().to_string(), "serial": seq + 100, "key_id": "c280c2",
           "verdict": verdict, "code": code})
}

#[tokio::test]
async fn page_audit_entries_are_chained_once_and_in_order() {
    let h = harness(Options::default()).await;
    let entries: Vec<_> = (1..=3).map(|s| page_entry(s, "VALID", "ok")).collect();
    let r = send(&h.router, page_upload(Some("loket-07"), &json!({"page_id": PAGE_ID, "entries": entries}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let b = r.json();
    assert_eq!((b["recorded"].clone(), b["duplicates"].clone(), b["spooled"].clone()), (json!(3), json!(0), json!(0)));
    assert_eq!(b["entries"][0], json!({"seq": 1, "outcome": "recorded", "chain_seq": 1}));

    // The answer was lost: the page sends 2 and 3 again with 4 and 5. Only 4 and 5 are new.
    let mut again: Vec<_> = (2..=3).map(|s| page_entry(s, "VALID", "ok")).collect();
    again.push(page_entry(4, "INVALID", "signature_invalid"));
    again.push(page_entry(5, "UNDETERMINED", "status_list_stale"));
    let r = send(&h.router, page_upload(Some("loket-07"), &json!({"page_id": PAGE_ID, "entries": again}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let b = r.json();
    assert_eq!((b["recorded"].clone(), b["duplicates"].clone()), (json!(2), json!(2)));
    assert_eq!(b["entries"][0]["outcome"], "duplicate");
    assert_eq!(b["entries"][2], json!({"seq": 4, "outcome": "recorded", "chain_seq": 4}));

    // The same sequence numbers from another page (or another counter) are other entries.
    let other = json!({"page_id": "ffffffffffffffffffffffffffffffff", "entries": [page_entry(1, "VALID", "ok")]});
    assert_eq!(send(&h.router, page_upload(Some("loket-07"), &other)).await.json()["recorded"], 1);
    let mine = json!({"page_id": PAGE_ID, "entries": [page_entry(1, "VALID", "ok")]});
    assert_eq!(send(&h.router, page_upload(None, &mine)).await.json()["recorded"], 1);

    let got = h.state.store.audit_entries(0, 100).await.unwrap();
    assert_eq!(got.len(), 7);
    let codes: Vec<_> = got.iter().map(|e| e.record.code.as_str()).collect();
    assert_eq!(codes, ["ok", "ok", "ok", "signature_invalid", "status_list_stale", "ok", "ok"]);
    assert!(got.iter().all(|e| e.record.source == "page" && e.record.event == "verify"));
    assert_eq!(got[0].record.actor, "loket-07");
    assert_eq!(got[6].record.actor, "anonymous");
    assert_eq!(got[0].record.serial, Some(101));
    assert_eq!(got[0].record.key_id.as_deref(), Some("c280c2"));
    let report = ikd_server::audit::verify_chain(h.state.store.as_ref()).await.unwrap();
    assert!(report.ok && report.entries == 7, "{report:?}");
}

#[tokio::test]
async fn page_audit_rejections_have_specific_codes_and_record_nothing() {
    let h = harness(Options::default()).await;
    let ok = page_entry(1, "VALID", "ok");
    let with = |field: &str, value: serde_json::Value| {
        let mut e = ok.clone();
        e[field] = value;
        json!({"page_id": PAGE_ID, "entries": [e]})
    };
    let now = Timestamp::now();
    let cases: Vec<(serde_json::Value, StatusCode, &str, Option<&str>)> = vec![
        (json!({"page_id": "xyz", "entries": [ok]}), StatusCode::BAD_REQUEST, "invalid_request", Some("page_id")),
        (
            json!({"page_id": PAGE_ID.to_uppercase(), "entries": [ok]}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("page_id"),
        ),
        (json!({"page_id": PAGE_ID, "entries": []}), StatusCode::BAD_REQUEST, "invalid_request", Some("entries")),
        (json!({"page_id": PAGE_ID, "entries": [ok], "extra": 1}), StatusCode::BAD_REQUEST, "invalid_request", None),
        (json!({"page_id": PAGE_ID, "entries": [{"seq": 1}]}), StatusCode::BAD_REQUEST, "invalid_request", None),
        (
            json!({"page_id": PAGE_ID, "entries": (1..=257).map(|s| page_entry(s, "VALID", "ok")).collect::<Vec<_>>()}),
            StatusCode::BAD_REQUEST,
            "audit_batch_too_large",
            None,
        ),
        (
            json!({"page_id": PAGE_ID, "entries": [page_entry(2, "VALID", "ok"), page_entry(1, "VALID", "ok")]}),
            StatusCode::CONFLICT,
            "audit_out_of_order",
            Some("entries[1].seq"),
        ),
        (
            json!({"page_id": PAGE_ID, "entries": [page_entry(2, "VALID", "ok"), page_entry(2, "VALID", "ok")]}),
            StatusCode::CONFLICT,
            "audit_out_of_order",
            Some("entries[1].seq"),
        ),
        (
            with("at", json!("yesterday")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].at"),
        ),
        (
            with("at", json!("2019-12-31T23:59:59Z")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].at"),
        ),
        (
            with("at", json!(now.plus(367 * DAY).to_string())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].at"),
        ),
        (with("seq", json!(0)), StatusCode::UNPROCESSABLE_ENTITY, "audit_entry_invalid", Some("entries[0].seq")),
        (with("serial", json!(0)), StatusCode::UNPROCESSABLE_ENTITY, "audit_entry_invalid", Some("entries[0].serial")),
        (
            with("key_id", json!("C280C2")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].key_id"),
        ),
        (
            with("key_id", json!("c280c")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].key_id"),
        ),
        (
            with("verdict", json!("valid")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].verdict"),
        ),
        (with("code", json!("Ok")), StatusCode::UNPROCESSABLE_ENTITY, "audit_entry_invalid", Some("entries[0].code")),
        (
            with("code", json!("x".repeat(65))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].code"),
        ),
        (
            with("code", json!("expired")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "audit_entry_invalid",
            Some("entries[0].code"),
        ),
        (with("serial", json!(-1)), StatusCode::BAD_REQUEST, "invalid_request", None),
    ];
    for (body, status, code, field) in cases {
        let r = send(&h.router, page_upload(Some("loket-07"), &body)).await;
        assert_eq!((r.status, r.error_code().as_str()), (status, code), "{body}: {}", r.text());
        if let Some(f) = field {
            assert_eq!(r.json()["error"]["field"], f, "{body}");
        }
    }
    // A later entry that is bad refuses the whole upload (the good one before it included).
    let body = json!({"page_id": PAGE_ID, "entries": [ok, page_entry(2, "VALID", "nope")]});
    let r = send(&h.router, page_upload(Some("loket-07"), &body)).await;
    assert_eq!(r.error_code(), "audit_entry_invalid");
    assert_eq!(r.json()["error"]["index"], 1);
    // A malformed counter id, a wrong content type, an oversized body.
    let r = send(&h.router, page_upload(Some("loket 07"), &json!({"page_id": PAGE_ID, "entries": [ok]}))).await;
    assert_eq!((r.status, r.json()["error"]["field"].clone()), (StatusCode::BAD_REQUEST, json!("X-Counter-Id")));
    let r = send(
        &h.router,
        Request::post("/v1/audit/entries").header("content-type", "text/plain").body(Body::from("{}")).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = json!({"page_id": PAGE_ID, "entries": [ok], "pad": "x".repeat(70_000)});
    let r = send(&h.router, page_upload(Some("loket-07"), &big)).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    assert!(h.state.store.audit_entries(0, 10).await.unwrap().is_empty(), "nothing recorded");
}

#[tokio::test]
async fn offline_bundle_of_a_trust_store_server() {
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/v1/offline/bundle").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let b = r.json();
    assert_eq!(b["mode"], "trust_store");
    assert_eq!(b["trust_list"], serde_json::Value::Null);
    assert_eq!(b["pinned_roots"], json!([]));
    let store = ikd_core::TrustStore::from_json(b["trust_store"].as_str().unwrap()).unwrap();
    assert_eq!(store.issuers().len(), 1);
    assert_eq!(store.issuers()[0].public_key, h.issuer.public_key());
    assert_eq!(b["status_lists"], json!([]), "a plain trust store server verifies no status lists");
    let policies = ikd_core::Policy::list_from_json(b["policies"].as_str().unwrap()).unwrap();
    assert_eq!(policies.len(), 5);
    assert_eq!(b["freshness_policy"]["status_grace_secs"], 30 * DAY);
    assert!(b["wasm"]["verifier"].is_boolean() && b["wasm"]["reader"].is_boolean());
    assert!(r.headers["cache-control"].to_str().unwrap().contains("no-store"));
}

#[tokio::test]
async fn offline_bundle_of_a_trust_list_server_verifies_under_its_roots() {
    let dir = TempDir::new("bundle");
    let cfg = ikd_server::Config {
        demo: true,
        data_dir: dir.path().to_owned(),
        demo_residents: dir.path().join("absent.json"),
        ..Default::default()
    };
    let demo = ikd_server::App::from_config(&cfg).await.unwrap();
    let r = get(&demo.router(), "/v1/offline/bundle").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let b = r.json();
    assert_eq!((b["mode"].clone(), b["demo"].clone()), (json!("trust_list"), json!(true)));
    assert_eq!(b["trust_store"], serde_json::Value::Null);
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap();
    let roots: Vec<_> = b["pinned_roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| ikd_core::PublicKey::from_text(k.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(roots.len(), 1);
    let list = ikd_core::trustlist::TrustList::verify(&b64(&b["trust_list"]["bytes"]), &roots).unwrap();
    assert_eq!(b["trust_list"]["sequence"], list.sequence());
    let status = b["status_lists"].as_array().unwrap();
    assert_eq!(status.len(), 1, "the demo issuer's status list");
    let s = ikd_core::status::StatusList::verify_under_trust_list(&b64(&status[0]["bytes"]), &list).unwrap();
    assert_eq!(s.revoked_count(), 1, "the revoked sample");
    assert_eq!(status[0]["issuer_key"], s.issuer_key().to_text());
    assert_eq!(status[0]["key_id"], s.key_id().to_string());
}

#[tokio::test]
async fn offline_page_assets_and_headers() {
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/sw.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(r.headers["service-worker-allowed"], "/");
    assert_eq!(r.headers["cache-control"], "no-cache");
    assert!(r.text().contains("ikd_wasm_bg.wasm") && r.text().contains("caches.open"));
    let r = get(&h.router, "/manifest.webmanifest").await;
    assert_eq!(r.headers["content-type"], "application/manifest+json");
    let m = r.json();
    assert_eq!((m["start_url"].clone(), m["scope"].clone()), (json!("/"), json!("/")));
    assert_eq!(get(&h.router, m["icons"][0]["src"].as_str().unwrap()).await.status, StatusCode::OK);
    let r = get(&h.router, "/").await;
    let csp = r.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("manifest-src 'self'"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'"), "WASM only, never eval: {csp}");
    assert!(r.text().contains("rel=\"manifest\""));
    // The modules, when this build embeds them, with the content type streaming compilation needs.
    for path in ikd_server::api::page::wasm_paths() {
        let r = get(&h.router, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let want = if path.ends_with(".wasm") { "application/wasm" } else { "text/javascript; charset=utf-8" };
        assert_eq!(r.headers["content-type"], want, "{path}");
    }
}
