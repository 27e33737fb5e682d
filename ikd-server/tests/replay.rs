//! Live presentations are accepted once, also across a restart: the embedded store records
//! every accepted one (`seen_presentations`), so a replay to a new process on the same data
//! directory is refused although its in-memory replay cache is empty.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use ikd_core::*;
use ikd_server::app::App;
use ikd_server::store::{SqliteOptions, SqliteStore};
use serde_json::json;

/// A verify-only server on `dir` trusting `issuer`.
async fn app_on(dir: &Path, issuer: &Issuer) -> App {
    App::from_parts(verify_only_parts(trusting(ISSUER_NAME, issuer.public_key()), dir)).await.unwrap()
}

/// A live presentation signed `ago` seconds back (one signed in the same second with the same
/// disclosure is the same presentation: the signature is deterministic).
fn live(cred: &str, holder: &SecretKey, ago: i64) -> String {
    live_at(cred, holder, Timestamp::now().plus(-ago))
}

fn live_at(cred: &str, holder: &SecretKey, at: Timestamp) -> String {
    let shown = Disclosure::from_names(&["nama", "age_over_17"]).unwrap();
    create_presentation(cred, shown, Some(holder), at, None).unwrap()
}

fn verdict(r: &Reply) -> (String, String) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    (j["verdict"].as_str().unwrap().to_owned(), j["code"].as_str().unwrap().to_owned())
}

fn valid() -> (String, String) {
    ("VALID".to_owned(), "ok".to_owned())
}

fn replayed() -> (String, String) {
    ("INVALID".to_owned(), "presentation_replayed".to_owned())
}

async fn verify_image(router: &axum::Router, text: &str) -> Reply {
    send(
        router,
        Request::post("/v1/verify/image").header("content-type", "image/png").body(Body::from(qr_png(text))).unwrap(),
    )
    .await
}

// Issue 6: a live presentation was accepted again after a server restart.
#[tokio::test]
async fn regression_live_presentation_replayed_after_a_restart() {
    let dir = TempDir::new("replay-restart");
    let issuer = Issuer::new(SecretKey::from_seed(&random_seed()));
    let holder = SecretKey::from_seed(&random_seed());
    let cred = holder_credential(&issuer, &holder);
    // One clock reading for all four, so that a second boundary between them cannot make two
    // of them the same code (a flake seen in CI on 2026-12-04).
    let now = Timestamp::now();
    let (p1, p2, p3, p4) = (
        live_at(&cred, &holder, now),
        live_at(&cred, &holder, now.plus(-1)),
        live_at(&cred, &holder, now.plus(-2)),
        live_at(&cred, &holder, now.plus(-3)),
    );
    assert!(p1 != p2 && p2 != p3 && p3 != p4);

    let app = app_on(dir.path(), &issuer).await;
    let router = app.router();
    // Accepted once through each endpoint; a printed card is not a live presentation.
    assert_eq!(verdict(&post_json(&router, "/v1/verify", &json!({"qr": p1})).await), valid());
    assert_eq!(verdict(&verify_image(&router, &p2).await), valid());
    let r = post_json(&router, "/v1/verify/batch", &json!({"qrs": [p3, cred]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["results"][0]["verdict"], "VALID", "{}", r.text());
    assert_eq!(r.json()["results"][1]["verdict"], "VALID", "{}", r.text());
    // The same process refuses a replay (its own cache).
    assert_eq!(verdict(&post_json(&router, "/v1/verify", &json!({"qr": p1})).await), replayed());
    drop(router);
    drop(app);

    // A restart: a new process (new verifier, empty replay cache) on the same data directory.
    let app = app_on(dir.path(), &issuer).await;
    let router = app.router();
    assert_eq!(verdict(&post_json(&router, "/v1/verify", &json!({"qr": p1})).await), replayed());
    assert_eq!(verdict(&verify_image(&router, &p2).await), replayed());
    let r = post_json(&router, "/v1/verify/batch", &json!({"qrs": [p3, p4, cred]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let results = r.json()["results"].clone();
    assert_eq!(
        (results[0]["verdict"].as_str(), results[0]["code"].as_str()),
        (Some("INVALID"), Some("presentation_replayed"))
    );
    assert_eq!((results[1]["verdict"].as_str(), results[1]["code"].as_str()), (Some("VALID"), Some("ok")));
    assert_eq!((results[2]["verdict"].as_str(), results[2]["code"].as_str()), (Some("VALID"), Some("ok")));
    // A printed card (no live presentation) is never a replay.
    assert_eq!(verdict(&post_json(&router, "/v1/verify", &json!({"qr": cred})).await), valid());

    let m = get(&router, "/metrics").await.text();
    assert!(m.contains("ikd_presentation_replays_in_store_total 3"), "{m}");
    assert!(m.contains("ikd_presentation_replay_store_failures_total 0"), "{m}");

    // The audit log holds the final verdicts.
    let store = SqliteStore::open(dir.path(), SqliteOptions { read_only: true, ..SqliteOptions::default() }).unwrap();
    let entries = ikd_server::store::Store::audit_entries(&store, 0, 100).await.unwrap();
    let replays = entries.iter().filter(|e| e.record.code == "presentation_replayed").count();
    assert_eq!(replays, 3, "{entries:?}");
    assert!(entries.iter().filter(|e| e.record.code == "presentation_replayed").all(|e| e.record.verdict == "INVALID"));
    // Each batch is one entry listing its texts: the replay in the second is on its line.
    let batches: Vec<&str> =
        entries.iter().filter(|e| e.record.event == "verify_batch").filter_map(|e| e.record.items.as_deref()).collect();
    assert_eq!(batches.len(), 2, "{entries:?}");
    assert!(batches[1].starts_with("0 INVALID presentation_replayed "), "{batches:?}");
}

/// One resident with one phone-bound credential signed a thousand distinct valid
/// presentations and sent them in batches; each took a replay-cache slot until the cache was
/// full, after which every other resident's fresh code was UNDETERMINED `replay_cache_full`
/// (issue 13, item 1). One holder key now holds at most its share (10 by default).
#[tokio::test]
async fn regression_one_resident_cannot_switch_live_checks_off_for_everyone() {
    let dir = TempDir::new("replay-flood");
    let issuer = Issuer::new(SecretKey::from_seed(&random_seed()));
    let flooder = SecretKey::from_seed(&random_seed());
    let flooder_cred = holder_credential(&issuer, &flooder);
    let app = app_on(dir.path(), &issuer).await;
    let router = app.router();
    let now = Timestamp::now();
    let mut codes = Vec::new();
    for i in 0..400u16 {
        let shown = Disclosure::from_bits(i + 1);
        codes.push(create_presentation(&flooder_cred, shown, Some(&flooder), now, None).unwrap());
    }
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for chunk in codes.chunks(100) {
        let r = post_json(&router, "/v1/verify/batch", &json!({"qrs": chunk})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        for res in r.json()["results"].as_array().unwrap() {
            *counts
                .entry(format!("{} {}", res["verdict"].as_str().unwrap(), res["code"].as_str().unwrap()))
                .or_default() += 1;
        }
    }
    assert_eq!(counts.get("VALID ok"), Some(&DEFAULT_LIVE_PER_HOLDER), "{counts:?}");
    assert_eq!(
        counts.get("UNDETERMINED presentation_rate_limited"),
        Some(&(400 - DEFAULT_LIVE_PER_HOLDER)),
        "{counts:?}"
    );
    // Another resident is served as usual.
    let other = SecretKey::from_seed(&random_seed());
    let other_cred = holder_credential(&issuer, &other);
    assert_eq!(verdict(&post_json(&router, "/v1/verify", &json!({"qr": live(&other_cred, &other, 0)})).await), valid());
    // A code answering a challenge this counter never set is refused, and takes no slot.
    let relayed = create_presentation(
        &other_cred,
        Disclosure::from_names(&["nama"]).unwrap(),
        Some(&other),
        now,
        Some(b"K7Q2".as_slice()),
    )
    .unwrap();
    assert_eq!(
        verdict(&post_json(&router, "/v1/verify", &json!({"qr": relayed})).await),
        ("INVALID".to_owned(), "challenge_unexpected".to_owned())
    );
}
