//! Trust lists, status lists and their distribution (in process): `GET /v1/trust-list`,
//! `GET /v1/status/{key_id}` with ETags, the own status list following revocations, the verifier
//! using the lists, a sync round against a real upstream socket, refusals that keep the previous
//! copy, staleness; the own status list kept in the store across restarts and upgrades; and
//! service policies and challenges on `POST /v1/verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use common::*;
use ikd_core::format::*;
use ikd_core::status::{StatusList, StatusListBuilder};
use ikd_core::trustlist::{Scope, TrustList, TrustListBuilder, TrustListEntry};
use ikd_core::*;
use ikd_server::app::{App, AppParts, AppState};
use ikd_server::config::{AdminToken, Config, IssuanceConfig, Limits, ListsConfig};
use ikd_server::store::{SqliteOptions, SqliteStore};
use ikd_server::sync::{Extras, Offer, http_client};
use serde_json::json;

fn entry(name: &str, key: PublicKey) -> TrustListEntry {
    TrustListEntry::new(name, key, Timestamp::from_unix(WIRE_EPOCH), Timestamp::now().plus(3650 * DAY), Scope::all())
}

/// A trust list naming `keys`, signed by `root`.
fn sign_trust_list(root: &SecretKey, keys: &[(&str, PublicKey)], sequence: u64, issued_at: Timestamp) -> Vec<u8> {
    let mut b = TrustListBuilder::new(sequence, issued_at, issued_at.plus(7 * DAY));
    for (name, key) in keys {
        b.add(entry(name, *key)).unwrap();
    }
    b.next_roots(&[root.public_key()]);
    b.sign(&[root]).unwrap()
}

struct Server {
    app: Option<App>,
    router: Router,
    state: Arc<AppState>,
    dir: TempDir,
}

/// A server built like `App::from_config` would, with lists settings.
async fn server(dir: TempDir, issuer_seed: Option<[u8; 32]>, trust: TrustStore, lists: ListsConfig) -> Server {
    let store = SqliteStore::open(dir.path(), SqliteOptions::default()).unwrap();
    let extras = Extras { lists, data_dir: Some(dir.path().to_owned()), policies: None };
    let app = App::from_parts_with(
        AppParts {
            trust,
            issuer: issuer_seed.map(|s| (SecretKey::from_seed(&s), ISSUER_NAME.to_owned())),
            admin: Some(AdminToken::new(TOKEN).unwrap()),
            store: Arc::new(store),
            limits: Limits::default(),
            issuance: IssuanceConfig::default(),
            demo: false,
        },
        extras,
    )
    .await
    .unwrap();
    Server { router: app.router(), state: Arc::clone(&app.state), app: Some(app), dir }
}

/// An issuing server whose trust is a signed trust list file naming its own key.
/// A fresh trust-list root key, and a fresh issuer seed with its public key.
fn root_and_own_key() -> (SecretKey, [u8; 32], PublicKey) {
    let seed = random_seed();
    (SecretKey::from_seed(&random_seed()), seed, SecretKey::from_seed(&seed).public_key())
}

async fn issuing_server(root: &SecretKey, seed: [u8; 32]) -> Server {
    let dir = TempDir::new("lists-up");
    let own = SecretKey::from_seed(&seed).public_key();
    let file = dir.path().join("trust.ikdtl");
    std::fs::write(&file, sign_trust_list(root, &[(ISSUER_NAME, own)], 1, Timestamp::now().plus(-60))).unwrap();
    let lists =
        ListsConfig { trust_list_file: Some(file), root_keys: vec![root.public_key()], ..ListsConfig::default() };
    server(dir, Some(seed), TrustStore::new(), lists).await
}

async fn get_with(router: &Router, path: &str, etag: Option<&str>) -> Reply {
    let mut b = Request::get(path);
    if let Some(e) = etag {
        b = b.header("if-none-match", e);
    }
    send(router, b.body(Body::empty()).unwrap()).await
}

async fn issue_on(router: &Router) -> (u64, u32, String) {
    let r = admin_post(router, "/v1/credentials", &json!({ "claims": claims_json(), "valid_days": 365 })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let j = r.json();
    (j["serial"].as_u64().unwrap(), j["status_index"].as_u64().unwrap() as u32, j["qr"].as_str().unwrap().to_owned())
}

async fn verify_body(router: &Router, body: serde_json::Value) -> Reply {
    post_json(router, "/v1/verify", &body).await
}

#[tokio::test]
async fn trust_and_status_lists_are_published_with_etags_and_follow_revocations() {
    let root = SecretKey::from_seed(&random_seed());
    let seed = random_seed();
    let up = issuing_server(&root, seed).await;
    let own = SecretKey::from_seed(&seed).public_key();
    let kid = own.key_id().to_string();

    // The trust list: exactly the file's bytes, a strong ETag, 304 on If-None-Match.
    let r = get(&up.router, "/v1/trust-list").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes, std::fs::read(up.dir.path().join("trust.ikdtl")).unwrap());
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(r.headers["cache-control"], "no-cache");
    let tag = r.headers["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with('"') && tag.len() == 66, "{tag}");
    let r = get_with(&up.router, "/v1/trust-list", Some(&tag)).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.bytes.is_empty());
    assert_eq!(r.headers["etag"].to_str().unwrap(), tag);
    let r = get_with(&up.router, "/v1/trust-list", Some(&format!("\"x\", W/{tag}"))).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED, "weak comparison, lists of tags");
    assert_eq!(get_with(&up.router, "/v1/trust-list", Some("\"other\"")).await.status, StatusCode::OK);

    // The own status list: signed with the issuer key, nothing revoked yet.
    let r = get(&up.router, &format!("/v1/status/{kid}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers["content-type"], "application/octet-stream");
    let list = StatusList::verify(&r.bytes, &own).unwrap();
    assert_eq!(list.revoked_count(), 0);
    assert_eq!(list.len(), IssuanceConfig::default().status_list_size);
    assert_eq!(list.ttl_secs(), 86_400);
    let tag1 = r.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(get_with(&up.router, &format!("/v1/status/{kid}"), Some(&tag1)).await.status, StatusCode::NOT_MODIFIED);
    let by_key = get(&up.router, &format!("/v1/status/{}", hex::encode(own.as_bytes()))).await;
    assert_eq!(by_key.bytes, r.bytes, "the full public key in hex works too");

    // Issue two, revoke one: the status list shows it at once, with a new ETag and sequence.
    let (serial, index, qr) = issue_on(&up.router).await;
    let (_, _, other_qr) = issue_on(&up.router).await;
    let v = verify(&up.router, &qr).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    let checks: Vec<&str> = v["report"].as_array().unwrap().iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert!(checks.contains(&"status"), "the verifier uses the status list: {checks:?}");
    let r = admin_post(&up.router, &format!("/v1/credentials/{serial}/revoke"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get_with(&up.router, &format!("/v1/status/{kid}"), Some(&tag1)).await;
    assert_eq!(r.status, StatusCode::OK, "the old ETag no longer matches");
    let list2 = StatusList::verify(&r.bytes, &own).unwrap();
    assert_eq!(list2.get(StatusIndex::new(index)).unwrap(), status::CredentialStatus::Revoked);
    assert_eq!(list2.revoked_count(), 1);
    assert!(list2.sequence() > list.sequence());
    StatusList::check_transition(&list, &list2).unwrap();
    let v = verify(&up.router, &qr).await;
    assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("INVALID"), Some("revoked")), "{v}");
    let status = v["report"].as_array().unwrap().iter().find(|c| c["check"] == "status").unwrap().clone();
    assert_eq!(status["code"], "revoked", "the status list and the registry agree");
    assert_eq!(verify(&up.router, &other_qr).await["verdict"], "VALID");

    // Errors.
    let r = get(&up.router, "/v1/status/zz").await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::BAD_REQUEST, "bad_request"));
    let r = get(&up.router, "/v1/status/000000").await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/v1/trust-list").await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::NOT_FOUND, "not_found"), "no trust list held");
    // A plain trust-store server still publishes its own status list.
    let kid_h = h.issuer.public_key().key_id().to_string();
    assert_eq!(get(&h.router, &format!("/v1/status/{kid_h}")).await.status, StatusCode::OK);

    // The metrics name the lists (no personal data).
    let m = get(&up.router, "/metrics").await.text();
    assert!(m.contains(&format!("ikd_list_sequence{{key_id=\"{kid}\",list=\"status\"}}")), "{m}");
    assert!(m.contains("ikd_list_issued_at_timestamp_seconds{key_id=\"\",list=\"trust\"}"), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_syncs_from_upstream_and_refuses_bad_lists() {
    let (root, seed, own) = root_and_own_key();
    let kid = own.key_id().to_string();
    let up = issuing_server(&root, seed).await;
    let (serial, _, qr) = issue_on(&up.router).await;
    let (_, _, other_qr) = issue_on(&up.router).await;
    // Only the served app may hold the state, so that shutdown can finish the audit writer.
    let Server { app: up_app, router, state, dir: _up_dir } = up;
    drop((router, state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let upstream = tokio::spawn(ikd_server::serve(up_app.unwrap(), listener, async move {
        let _ = stopped.await;
    }));

    // A counter pinned to the root, with nothing else: it trusts nothing until it syncs.
    let lists = ListsConfig {
        root_keys: vec![root.public_key()],
        upstream_url: Some(base.clone()),
        sync_interval: Duration::from_secs(3600),
        ..ListsConfig::default()
    };
    let counter_dir = TempDir::new("lists-counter");
    let counter_path = counter_dir.path().to_owned();
    let counter = server(counter_dir, None, TrustStore::new(), lists.clone()).await;
    let client = http_client();
    let report = counter.state.lists.sync_once(&client).await;
    assert!(report.problems.is_empty(), "{report:?}");
    let r = get(&counter.router, "/readyz").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["sync"]["last_success"].is_string());
    let v = verify(&counter.router, &qr).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    // The counter republishes what it synced, byte for byte.
    let counter_list = get(&counter.router, "/v1/trust-list").await;
    assert_eq!(counter_list.bytes, std::fs::read(counter_path.join("lists/trust-list.ikdtl")).unwrap());
    // Kept on disk for a restart without network.
    assert!(counter_path.join("lists/trust-list.ikdtl").exists());
    assert!(counter_path.join(format!("lists/{}", ikd_server::sync::status_file_name(&own))).exists());

    // A second round: 304s, nothing changes.
    let report = counter.state.lists.sync_once(&client).await;
    assert!(report.problems.is_empty() && report.updated.is_empty(), "{report:?}");

    // Revoked upstream → revoked on the counter after the next round.
    let r = admin_post_url(&base, &format!("/v1/credentials/{serial}/revoke")).await;
    assert_eq!(r, 200);
    let report = counter.state.lists.sync_once(&client).await;
    assert_eq!(report.updated, vec![format!("status:{kid}")], "{report:?}");
    let v = verify(&counter.router, &qr).await;
    assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("INVALID"), Some("revoked")), "{v}");
    assert_eq!(verify(&counter.router, &other_qr).await["verdict"], "VALID");

    // Refusals keep the held copy: an older status list (rollback), a list lifting a revocation,
    // one signed by another key, and a trust list from an unknown root.
    let held = counter.state.lists.status_by_key(&own).unwrap();
    let issuer_sk = SecretKey::from_seed(&seed);
    let older = StatusListBuilder::new(held.list.len())
        .unwrap()
        .sign(&issuer_sk, held.list.issued_at(), 86_400, held.list.sequence() - 1)
        .unwrap();
    let e = counter.state.lists.offer_status_list(&own, &own, Bytes::from(older)).unwrap_err();
    assert_eq!(e.code(), "status_rollback");
    let lifted = StatusListBuilder::new(held.list.len())
        .unwrap()
        .sign(&issuer_sk, Timestamp::now(), 86_400, held.list.sequence() + 10)
        .unwrap();
    let e = counter.state.lists.offer_status_list(&own, &own, Bytes::from(lifted)).unwrap_err();
    assert_eq!(e.code(), "status_revocation_lifted");
    let forged = StatusListBuilder::new(held.list.len())
        .unwrap()
        .sign(&SecretKey::from_seed(&random_seed()), Timestamp::now(), 86_400, held.list.sequence() + 10)
        .unwrap();
    assert!(counter.state.lists.offer_status_list(&own, &own, Bytes::from(forged)).is_err());
    let rogue = SecretKey::from_seed(&random_seed());
    let rogue_list = sign_trust_list(&rogue, &[("ROGUE", rogue.public_key())], 99, Timestamp::now());
    let e =
        counter.state.lists.offer_trust_list(Bytes::from(rogue_list), ikd_server::sync::Source::Synced).unwrap_err();
    assert_eq!(e.code(), "trust_list_unknown_root");
    assert_eq!(counter.state.lists.status_by_key(&own).unwrap().bytes, held.bytes, "the good copy stays");
    assert_eq!(verify(&counter.router, &qr).await["code"], "revoked");

    // A successor trust list signed by the root is taken on the next round; the same one again
    // is "unchanged".
    let t = counter.state.lists.trust_list().unwrap();
    let next = sign_trust_list(&root, &[(ISSUER_NAME, own)], t.list.sequence() + 1, Timestamp::now());
    let o = counter.state.lists.offer_trust_list(Bytes::from(next.clone()), ikd_server::sync::Source::Synced).unwrap();
    assert_eq!(o, Offer::Installed { old: Some(t.list.sequence()), new: t.list.sequence() + 1 });
    assert_eq!(
        counter.state.lists.offer_trust_list(Bytes::from(next), ikd_server::sync::Source::Synced).unwrap(),
        Offer::Unchanged
    );
    assert_eq!(verify(&counter.router, &qr).await["code"], "revoked", "status lists survive a trust list change");

    // Upstream down: the round reports it, the lists stay.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), upstream).await.unwrap().unwrap().unwrap();
    let report = counter.state.lists.sync_once(&client).await;
    assert_eq!(report.problems[0].code, "upstream_unreachable", "{report:?}");
    assert_eq!(report.consecutive_failures, 1);
    assert_eq!(verify(&counter.router, &other_qr).await["verdict"], "VALID");
    let s = get(&counter.router, "/v1/sync/status").await.json();
    assert_eq!(s["sync"]["problems"][0]["code"], "upstream_unreachable", "{s}");
    assert_eq!(s["trust_list"]["source"], "synced");
    assert_eq!(s["status_lists"][0]["freshness"], "fresh");
    let Server { dir: kept, .. } = counter;

    // Restarted without network, 32 days later: the kept copies load; the status list is stale.
    let stale = ListsConfig { danger_clock_offset_secs: 32 * DAY, ..lists };
    let later = server(kept, None, TrustStore::new(), stale).await;
    let r = send(
        &later.router,
        Request::post("/v1/verify")
            .header("content-type", "application/json")
            .header("accept-language", "en")
            .body(Body::from(json!({ "qr": other_qr }).to_string()))
            .unwrap(),
    )
    .await;
    let v = r.json();
    assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("UNDETERMINED"), Some("status_list_stale")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("32 days old"), "{v}");
    assert_eq!(verify(&later.router, &qr).await["code"], "revoked", "a revocation stays conclusive");
}

async fn admin_post_url(base: &str, path: &str) -> u16 {
    use http_body_util::{BodyExt, Full};
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let req = Request::post(format!("{base}{path}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let _ = resp.into_body().collect().await;
    status
}

#[tokio::test]
async fn grace_periods_warn_and_the_trust_list_goes_stale() {
    let (root, seed, own) = root_and_own_key();
    // 3 days later: the own status list is re-signed (it is this server's own), but the trust
    // list is 3 days into its 7 fresh days: no warning. 10 days: trust list in grace.
    let dir = TempDir::new("lists-grace");
    let file = dir.path().join("trust.ikdtl");
    std::fs::write(&file, sign_trust_list(&root, &[(ISSUER_NAME, own)], 1, Timestamp::now().plus(-60))).unwrap();
    let lists = ListsConfig {
        trust_list_file: Some(file.clone()),
        root_keys: vec![root.public_key()],
        danger_clock_offset_secs: 10 * DAY,
        ..ListsConfig::default()
    };
    let s = server(dir, Some(seed), TrustStore::new(), lists).await;
    let (_, _, qr) = issue_on(&s.router).await;
    let v = verify(&s.router, &qr).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    let codes: Vec<&str> = v["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["trust_list_in_grace", "status_list_in_grace"], "{v}");
    assert!(v["warnings"][0]["message"].as_str().unwrap().contains("10 hari"));

    // 100 days later the trust list is past 7 + 90 days: UNDETERMINED, never INVALID.
    let dir2 = TempDir::new("lists-stale");
    let file2 = dir2.path().join("trust.ikdtl");
    std::fs::copy(&file, &file2).unwrap();
    let lists = ListsConfig {
        trust_list_file: Some(file2),
        root_keys: vec![root.public_key()],
        danger_clock_offset_secs: 100 * DAY,
        ..ListsConfig::default()
    };
    let s2 = server(dir2, Some(seed), TrustStore::new(), lists).await;
    let (_, _, qr2) = issue_on(&s2.router).await;
    let v = verify(&s2.router, &qr2).await;
    assert_eq!((v["verdict"].as_str(), v["code"].as_str()), (Some("UNDETERMINED"), Some("trust_list_stale")), "{v}");
}

/// Writes a trust list signed by `root` with `sequence`, trusting `own` and one more issuer, to
/// the trust-list file of `s`, reloads it and checks that it was taken; returns the list.
fn reload_with_another_issuer(s: &Server, root: &SecretKey, own: PublicKey, sequence: u64) -> Vec<u8> {
    let newer = sign_trust_list(
        root,
        &[(ISSUER_NAME, own), ("DISDUKCAPIL LAIN", SecretKey::from_seed(&random_seed()).public_key())],
        sequence,
        Timestamp::now(),
    );
    std::fs::write(s.dir.path().join("trust.ikdtl"), &newer).unwrap();
    s.state.lists.reload_trust_list_file();
    assert_eq!(s.state.lists.trust_list().unwrap().list.sequence(), sequence);
    newer
}

#[tokio::test]
async fn trust_list_file_is_checked_and_reloaded() {
    let (root, seed, own) = root_and_own_key();
    let s = issuing_server(&root, seed).await;
    let file = s.dir.path().join("trust.ikdtl");
    // A newer file is taken by the next reload; an older one (rollback) is refused.
    let newer = reload_with_another_issuer(&s, &root, own, 5);
    assert_eq!(get(&s.router, "/v1/info").await.json()["trusted_issuers"].as_array().unwrap().len(), 2);
    std::fs::write(&file, sign_trust_list(&root, &[(ISSUER_NAME, own)], 2, Timestamp::now())).unwrap();
    s.state.lists.reload_trust_list_file();
    assert_eq!(s.state.lists.trust_list().unwrap().list.sequence(), 5, "rollback refused");

    // Configuration: a file that does not verify under the pinned roots stops the start.
    let dir = TempDir::new("lists-badfile");
    let bad = dir.path().join("trust.ikdtl");
    std::fs::write(&bad, &newer).unwrap();
    let cfg = Config {
        data_dir: dir.path().to_owned(),
        lists: ListsConfig {
            trust_list_file: Some(bad),
            root_keys: vec![SecretKey::from_seed(&random_seed()).public_key()],
            ..ListsConfig::default()
        },
        ..Config::default()
    };
    let err = App::from_config(&cfg).await.unwrap_err().to_string();
    assert!(err.contains("trust_list_file") && err.contains("trust_list_unknown_root"), "{err}");
}

/// After a trust-list reload the server built a new verifier with an empty replay cache, so a
/// live presentation accepted just before the reload was accepted again just after it.
// Issue 6: a trust-list reload emptied the replay cache, so a live presentation was accepted twice.
#[tokio::test]
async fn regression_trust_list_reload_keeps_the_replay_cache() {
    let (root, seed, own) = root_and_own_key();
    let s = issuing_server(&root, seed).await;
    let holder = SecretKey::from_seed(&random_seed());
    let cred = holder_credential(&Issuer::new(SecretKey::from_seed(&seed)), &holder);
    let shown = Disclosure::from_names(&["nama", "nik"]).unwrap();
    let live = create_presentation(&cred, shown, Some(&holder), Timestamp::now(), None).unwrap();
    let r = verify_body(&s.router, json!({ "qr": live })).await.json();
    assert_eq!(r["verdict"], "VALID", "{r}");
    reload_with_another_issuer(&s, &root, own, 7);
    let r = verify_body(&s.router, json!({ "qr": live })).await.json();
    assert_eq!((r["verdict"].as_str(), r["code"].as_str()), (Some("INVALID"), Some("presentation_replayed")), "{r}");
}

#[test]
fn presentation_window_and_replay_cache_settings() {
    let mut c = Config::default();
    assert_eq!((c.lists.presentation_window_secs, c.lists.replay_cache_entries), (90, 100_000));
    c.apply_file(std::path::Path::new("x.toml"), "presentation_window_secs = 30\nreplay_cache_entries = 500000\n")
        .unwrap();
    assert_eq!((c.lists.presentation_window_secs, c.lists.replay_cache_entries), (30, 500_000));
    let env = |k: &str| match k {
        "IKD_PRESENTATION_WINDOW_SECS" => Some("45".to_owned()),
        "IKD_REPLAY_CACHE_ENTRIES" => Some("2000".to_owned()),
        _ => None,
    };
    c.apply_env(&env).unwrap();
    assert_eq!((c.lists.presentation_window_secs, c.lists.replay_cache_entries), (45, 2_000));
    assert_eq!((c.lists.presentation_skew_secs, c.lists.live_per_holder), (30, 10));
    c.apply_file(std::path::Path::new("x.toml"), "presentation_skew_secs = 5\nlive_per_holder = 3\n").unwrap();
    assert_eq!((c.lists.presentation_skew_secs, c.lists.live_per_holder), (5, 3));
    let env = |k: &str| match k {
        "IKD_PRESENTATION_SKEW_SECS" => Some("0".to_owned()),
        "IKD_LIVE_PER_HOLDER" => Some("50".to_owned()),
        _ => None,
    };
    c.apply_env(&env).unwrap();
    assert_eq!((c.lists.presentation_skew_secs, c.lists.live_per_holder), (0, 50));
    let dir = TempDir::new("window-cfg");
    let path = dir.path().join("c.toml");
    for (toml, needle) in [
        ("presentation_window_secs = 0", "presentation_window_secs"),
        ("presentation_window_secs = 901", "presentation_window_secs"),
        ("replay_cache_entries = 10", "replay_cache_entries"),
        ("presentation_skew_secs = 301", "presentation_skew_secs"),
        ("presentation_skew_secs = -1", "presentation_skew_secs"),
        ("live_per_holder = 0", "live_per_holder"),
    ] {
        std::fs::write(&path, toml).unwrap();
        let over = ikd_server::config::Overrides { config: Some(path.clone()), ..Default::default() };
        let err = Config::load(&over, &|_| None).unwrap_err().to_string();
        assert!(err.contains(needle), "{toml}: {err}");
    }
}

/// A counter that shortens the window refuses a live presentation the default would accept.
#[tokio::test]
async fn the_presentation_window_is_configurable() {
    let seed = random_seed();
    let issuer = Issuer::new(SecretKey::from_seed(&seed));
    let holder = SecretKey::from_seed(&random_seed());
    let cred = holder_credential(&issuer, &holder);
    let shown = Disclosure::from_names(&["nama"]).unwrap();
    // Signed 60 s ago: inside a 90 s window, outside a 30 s one.
    let live = create_presentation(&cred, shown, Some(&holder), Timestamp::now().plus(-60), None).unwrap();
    let mut trust = TrustStore::new();
    trust.add(TrustedIssuer {
        name: ISSUER_NAME.to_owned(),
        public_key: issuer.public_key(),
        not_before: Timestamp::now().plus(-400 * DAY),
        not_after: Timestamp::now().plus(400 * DAY),
    });
    for (window, code) in [(90, "ok"), (30, "presentation_expired")] {
        let lists = ListsConfig { presentation_window_secs: window, ..ListsConfig::default() };
        let s = server(TempDir::new("window"), None, trust.clone(), lists).await;
        let r = verify_body(&s.router, json!({ "qr": live })).await.json();
        assert_eq!(r["code"], code, "window {window}: {r}");
    }
    // Signed 20 s ahead of the server's clock: inside the 30 s default skew, outside 10 s.
    let ahead = create_presentation(&cred, shown, Some(&holder), Timestamp::now().plus(20), None).unwrap();
    for (skew, code) in [(30, "ok"), (10, "presentation_in_future")] {
        let lists = ListsConfig { presentation_skew_secs: skew, ..ListsConfig::default() };
        let s = server(TempDir::new("skew"), None, trust.clone(), lists).await;
        let r = verify_body(&s.router, json!({ "qr": ahead })).await.json();
        assert_eq!(r["code"], code, "skew {skew}: {r}");
    }
}

#[test]
fn list_settings_from_file_and_environment() {
    let root = SecretKey::from_seed(&[0x33; 32]).public_key().to_text();
    let mut c = Config::default();
    c.apply_file(
        std::path::Path::new("/etc/ikd/ikd-server.toml"),
        &format!(
            "trust_list_file = \"list.ikdtl\"\nroot_keys = [\"{root}\"]\nupstream_url = \"http://10.0.0.1:8080/\"\n\
             sync_interval_secs = 60\npolicies_file = \"policies.json\"\n[freshness]\nstatus_grace_secs = 600\n\
             [issuance]\nstatus_list_ttl_secs = 3600\n"
        ),
    )
    .unwrap();
    assert_eq!(c.lists.trust_list_file.as_deref(), Some(std::path::Path::new("/etc/ikd/list.ikdtl")));
    assert_eq!(c.lists.upstream_url.as_deref(), Some("http://10.0.0.1:8080"));
    assert_eq!(c.lists.sync_interval, Duration::from_secs(60));
    assert_eq!(c.lists.freshness.status_grace_secs, 600);
    assert_eq!(c.lists.freshness.trust_grace_secs, 90 * DAY, "core default");
    assert_eq!(c.lists.status_list_ttl_secs, 3600);
    assert_eq!(c.policies_file.as_deref(), Some(std::path::Path::new("/etc/ikd/policies.json")));
    let env = |k: &str| match k {
        "IKD_UPSTREAM_URL" => Some("http://upstream.lan".to_owned()),
        "IKD_SYNC_INTERVAL_SECS" => Some("5".to_owned()),
        "IKD_DANGER_CLOCK_OFFSET_SECS" => Some("86400".to_owned()),
        _ => None,
    };
    c.apply_env(&env).unwrap();
    assert_eq!(c.lists.upstream_url.as_deref(), Some("http://upstream.lan"));
    assert_eq!(c.lists.danger_clock_offset_secs, 86_400);

    for (toml, needle) in [
        ("upstream_url = \"ftp://x\"", "not an https:// or http:// URL"),
        ("upstream_url = \"http://x/path\"", "without a path"),
        ("root_keys = [\"ikdpk1:nope\"]", "root_keys"),
        ("[freshness]\nstatus_fresh_minutes = 1", "status_fresh_minutes"),
    ] {
        let err = Config::default().apply_file(std::path::Path::new("x.toml"), toml).unwrap_err().to_string();
        assert!(err.contains(needle), "{toml}: {err}");
    }
    // The danger offset only with a loopback listen address (checked by Config::load).
    let dir = TempDir::new("lists-cfg");
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "listen = \"0.0.0.0:9000\"\ndanger_clock_offset_secs = 5\n").unwrap();
    let over = ikd_server::config::Overrides { config: Some(path.clone()), ..Default::default() };
    let err = Config::load(&over, &|_| None).unwrap_err().to_string();
    assert!(err.contains("danger_clock_offset_secs") && err.contains("loopback"), "{err}");
    std::fs::write(&path, format!("root_keys = [\"{root}\"]\n")).unwrap();
    let err = Config::load(&over, &|_| None).unwrap_err().to_string();
    assert!(err.contains("trust_list_file or upstream_url"), "{err}");
    std::fs::write(&path, format!("root_keys = [\"{root}\"]\ntrust_store = \"t.json\"\nupstream_url = \"http://a\"\n"))
        .unwrap();
    let err = Config::load(&over, &|_| None).unwrap_err().to_string();
    assert!(err.contains("exclude each other"), "{err}");
}

// ---------------------------------------------------------------- policies and challenges

#[tokio::test]
async fn policies_are_listed_and_applied() {
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/v1/policies").await;
    assert_eq!(r.status, StatusCode::OK);
    let names: Vec<String> =
        r.json()["policies"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["apotek", "hotel", "bank", "lansia", "umum"]);
    let hotel = r.json()["policies"][1].clone();
    assert_eq!(hotel["required"], json!(["nama", "nik"]));
    assert_eq!(hotel["require_live"], false);

    let holder = SecretKey::from_seed(&random_seed());
    let cred = holder_credential(&h.issuer, &holder);
    let shown = Disclosure::from_names(&["nama", "age_over_17"]).unwrap();
    let static_p = create_presentation(&cred, shown, None, Timestamp::now(), None).unwrap();

    // A presentation: only what was shown, the rest named as withheld.
    let v = verify(&h.router, &static_p).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    assert_eq!(v["claims"], json!({"nama": NAME, "age_over_17": true}));
    let withheld = v["withheld"].as_array().unwrap();
    assert_eq!(withheld.len(), 14);
    assert!(withheld.contains(&json!("nik")) && withheld.contains(&json!("alamat")));
    assert_eq!(v["presentation"]["live"], false);
    assert!(v["policy"].is_null());

    // `umum` needs only the name; `hotel` needs the NIK too; `apotek` a live presentation.
    let r = verify_body(&h.router, json!({"qr": static_p, "policy": "umum"})).await.json();
    assert_eq!((r["verdict"].as_str(), r["policy"].as_str()), (Some("VALID"), Some("umum")), "{r}");
    let r = verify_body(&h.router, json!({"qr": static_p, "policy": "hotel"})).await.json();
    assert_eq!((r["verdict"].as_str(), r["code"].as_str()), (Some("INVALID"), Some("policy_claims_missing")));
    let full = issue(&h.issuer);
    let r = verify_body(&h.router, json!({"qr": full, "policy": "apotek"})).await.json();
    assert_eq!(r["code"], "policy_requires_live");
    // Unknown policy: 400 with the names known.
    let r = verify_body(&h.router, json!({"qr": full, "policy": "kasino"})).await;
    assert_eq!((r.status, r.error_code().as_str()), (StatusCode::BAD_REQUEST, "policy_unknown"));
    assert_eq!(r.json()["error"]["policies"][0], "apotek");
    // Batch and image take them too.
    let r = post_json(&h.router, "/v1/verify/batch", &json!({"qrs": [static_p, full], "policy": "hotel"})).await;
    let j = r.json();
    let codes: Vec<&str> = j["results"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["policy_claims_missing", "ok"]);
    let r = send(
        &h.router,
        Request::post("/v1/verify/image?policy=kasino")
            .header("content-type", "image/png")
            .body(Body::from(qr_png(&full)))
            .unwrap(),
    )
    .await;
    assert_eq!(r.error_code(), "policy_unknown");
    let r = send(
        &h.router,
        Request::post("/v1/verify/image?policy=hotel")
            .header("content-type", "image/png")
            .body(Body::from(qr_png(&full)))
            .unwrap(),
    )
    .await;
    assert_eq!((r.json()["verdict"].as_str(), r.json()["policy"].as_str()), (Some("VALID"), Some("hotel")));
}

#[tokio::test]
async fn challenge_mode_accepts_only_a_live_answer_to_this_code() {
    let h = harness(Options::default()).await;
    let holder = SecretKey::from_seed(&random_seed());
    let cred = holder_credential(&h.issuer, &holder);
    let shown = Disclosure::from_names(&["nama", "nik", "age_over_17", "foto"]).unwrap();
    let live = create_presentation(&cred, shown, Some(&holder), Timestamp::now(), Some(b"K7QXM")).unwrap();
    let r = verify_body(&h.router, json!({"qr": live, "challenge": "K7QXM", "policy": "apotek"})).await.json();
    assert_eq!(r["verdict"], "VALID", "{r}");
    assert_eq!(r["presentation"]["live"], true);
    assert_eq!(r["presentation"]["challenge"], "K7QXM");
    assert!(r["presentation"]["signed_at"].is_string());
    // The same presentation again: replayed. Another counter's code: mismatch.
    let r = verify_body(&h.router, json!({"qr": live, "challenge": "K7QXM"})).await.json();
    assert_eq!(r["code"], "presentation_replayed");
    let other = create_presentation(&cred, shown, Some(&holder), Timestamp::now(), Some(b"AAAAA")).unwrap();
    let r = verify_body(&h.router, json!({"qr": other, "challenge": "K7QXM"})).await.json();
    assert_eq!((r["verdict"].as_str(), r["code"].as_str()), (Some("INVALID"), Some("challenge_mismatch")));
    // A printed card (full credential) cannot answer a challenge.
    let r = verify_body(&h.router, json!({"qr": cred, "challenge": "K7QXM"})).await.json();
    assert_eq!(r["code"], "challenge_mismatch");
    // An empty challenge means none; a bad one is refused.
    let r = verify_body(&h.router, json!({"qr": cred, "challenge": ""})).await.json();
    assert_eq!(r["verdict"], "VALID");
    for bad in ["has space", &"X".repeat(33), "kode\u{e9}"] {
        let r = verify_body(&h.router, json!({"qr": cred, "challenge": bad})).await;
        assert_eq!((r.status, r.error_code().as_str()), (StatusCode::BAD_REQUEST, "invalid_request"), "{bad}");
    }
}

#[tokio::test]
async fn policies_file_adds_and_replaces_policies() {
    let dir = TempDir::new("policies");
    let path = dir.path().join("policies.json");
    std::fs::write(
        &path,
        r#"[{"name": "hotel", "required": ["nama"]}, {"name": "posyandu", "required": ["nama", "age_over_60"], "require_live": true}]"#,
    )
    .unwrap();
    let p = ikd_server::api::verify::load_policies(Some(&path)).unwrap();
    let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["apotek", "hotel", "bank", "lansia", "umum", "posyandu"]);
    assert_eq!(p[1].required.names(), ["nama"]);
    std::fs::write(&path, r#"[{"name": "x", "required": ["sidik_jari"]}]"#).unwrap();
    let err = ikd_server::api::verify::load_policies(Some(&path)).unwrap_err().to_string();
    assert!(err.contains("policies_file") && err.contains("policy_unknown_claim"), "{err}");
}

#[tokio::test]
async fn demo_server_publishes_a_trust_list_and_its_status_list() {
    let dir = TempDir::new("lists-demo");
    let cfg = Config {
        demo: true,
        data_dir: dir.path().to_owned(),
        demo_residents: dir.path().join("absent.json"),
        ..Default::default()
    };
    let app = App::from_config(&cfg).await.unwrap();
    assert!(app.banner.iter().any(|l| l.contains("Demo trust list")), "{:?}", app.banner);
    let router = app.router();
    let r = get(&router, "/v1/trust-list").await;
    assert_eq!(r.status, StatusCode::OK);
    let root = PublicKey::from_text(std::fs::read_to_string(dir.path().join("demo/root.pub")).unwrap().trim()).unwrap();
    let list = TrustList::verify(&r.bytes, &[root]).unwrap();
    let key = list.entries()[0].public_key;
    let r = get(&router, &format!("/v1/status/{}", key.key_id())).await;
    let status = StatusList::verify(&r.bytes, &key).unwrap();
    assert_eq!(status.revoked_count(), 1, "the demo's revoked sample");
}

async fn revoke_on(router: &Router, serial: u64) {
    let r = admin_post(router, &format!("/v1/credentials/{serial}/revoke"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// Stops an in-process server and gives back its data directory.
fn stop(s: Server) -> TempDir {
    let Server { app, router, state, dir } = s;
    drop((app, router, state));
    dir
}

/// The own status list lives in the store (SQLite by default): after a restart the server
/// serves the list it published before, also without the copy in `<data_dir>/lists/`, and the
/// next one follows it with a higher sequence.
#[tokio::test]
async fn own_status_list_survives_a_restart_and_its_sequence_keeps_rising() {
    let seed = random_seed();
    let own = SecretKey::from_seed(&seed).public_key();
    let path = format!("/v1/status/{}", own.key_id());
    let s = server(TempDir::new("lists-restart"), Some(seed), TrustStore::new(), ListsConfig::default()).await;
    let (serial, index, _) = issue_on(&s.router).await;
    let (serial2, index2, _) = issue_on(&s.router).await;
    revoke_on(&s.router, serial).await;
    let r1 = get(&s.router, &path).await;
    assert_eq!(r1.status, StatusCode::OK);
    let l1 = StatusList::verify(&r1.bytes, &own).unwrap();
    assert_eq!(l1.revoked().collect::<Vec<_>>(), vec![index]);

    let dir = stop(s);
    std::fs::remove_file(dir.path().join("lists").join(ikd_server::sync::status_file_name(&own))).unwrap();
    let s = server(dir, Some(seed), TrustStore::new(), ListsConfig::default()).await;
    let r2 = get(&s.router, &path).await;
    assert_eq!(r2.bytes, r1.bytes, "the stored list is served again, as it was");

    revoke_on(&s.router, serial2).await;
    let r3 = get(&s.router, &path).await;
    let l3 = StatusList::verify(&r3.bytes, &own).unwrap();
    assert!(l3.sequence() > l1.sequence(), "{} after {}", l3.sequence(), l1.sequence());
    StatusList::check_transition(&l1, &l3).unwrap();
    let mut both = vec![index, index2];
    both.sort_unstable();
    assert_eq!(l3.revoked().collect::<Vec<_>>(), both);

    let s = server(stop(s), Some(seed), TrustStore::new(), ListsConfig::default()).await;
    assert_eq!(get(&s.router, &path).await.bytes, r3.bytes);
    let c = rusqlite::Connection::open(SqliteStore::db_path(s.dir.path())).unwrap();
    let seqs: Vec<i64> = c
        .prepare("SELECT sequence FROM status_lists ORDER BY sequence")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(seqs.last().copied(), Some(l3.sequence() as i64));
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

/// A data directory from before the store kept status lists (the database at the previous
/// schema, the own list kept in `<data_dir>/lists/`): the kept list is imported as it is (same
/// bytes, same sequence), so counters holding it accept what follows.
#[tokio::test]
async fn upgrade_imports_the_kept_own_status_list() {
    let seed = random_seed();
    let sk = SecretKey::from_seed(&seed);
    let own = sk.public_key();
    let kid = own.key_id().to_string();
    let dir = TempDir::new("lists-upgrade");
    let now = Timestamp::now();
    {
        let c = sqlite_of_schema_2(dir.path());
        c.execute(
            "INSERT INTO credentials (key_id, serial, status_index, issued_at, state, revoked, revoked_at) \
             VALUES (?1, 1, 77, ?2, 'issued', 1, ?2)",
            rusqlite::params![kid, now.unix()],
        )
        .unwrap();
    }
    // Signed by the previous version, whose sequences ran ahead of the clock.
    let mut b = StatusListBuilder::new(IssuanceConfig::default().status_list_size).unwrap();
    b.set(StatusIndex::new(77), status::CredentialStatus::Revoked).unwrap();
    let sequence = now.unix() as u64 + 100_000;
    let kept = b.sign(&sk, now, 86_400, sequence).unwrap();
    std::fs::create_dir_all(dir.path().join("lists")).unwrap();
    std::fs::write(dir.path().join("lists").join(ikd_server::sync::status_file_name(&own)), &kept).unwrap();

    let s = server(dir, Some(seed), TrustStore::new(), ListsConfig::default()).await;
    let path = format!("/v1/status/{kid}");
    assert_eq!(get(&s.router, &path).await.bytes, kept, "imported as it is");
    let (serial, index, _) = issue_on(&s.router).await;
    revoke_on(&s.router, serial).await;
    let next = StatusList::verify(&get(&s.router, &path).await.bytes, &own).unwrap();
    assert_eq!(next.sequence(), sequence + 1);
    StatusList::check_transition(&StatusList::verify(&kept, &own).unwrap(), &next).unwrap();
    let mut expect = vec![77, index];
    expect.sort_unstable();
    assert_eq!(next.revoked().collect::<Vec<_>>(), expect);
    let c = rusqlite::Connection::open(SqliteStore::db_path(s.dir.path())).unwrap();
    let seqs: Vec<i64> = c
        .prepare("SELECT sequence FROM status_lists ORDER BY sequence")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(seqs, vec![sequence as i64, sequence as i64 + 1]);
}

/// A status list signed far in the future with the highest sequence stayed "fresh" for ever
/// and shut out every real successor; a change of `status_key` in the trust list did not
/// clear it (issue 13, item 7). Now such a list is refused when offered, and a held list
/// whose signer the new trust list replaces (or marks compromised) is dropped with its copy.
#[tokio::test]
async fn regression_status_lists_cannot_freeze_revocation() {
    let root = SecretKey::from_seed(&random_seed());
    let issuer = SecretKey::from_seed(&random_seed());
    let status_key = SecretKey::from_seed(&random_seed());
    let lists = ListsConfig { root_keys: vec![root.public_key()], ..ListsConfig::default() };
    let dir = TempDir::new("freeze");
    let path = dir.path().to_owned();
    let counter = server(dir, None, TrustStore::new(), lists).await;
    let held = &counter.state.lists;
    let now = Timestamp::now();
    let first = sign_trust_list(&root, &[(ISSUER_NAME, issuer.public_key())], 1, now);
    held.offer_trust_list(Bytes::from(first), ikd_server::sync::Source::Synced).unwrap();
    let pk = issuer.public_key();

    // Dated a century ahead with sequence 2^53 − 1: refused, nothing held.
    let frozen = StatusListBuilder::new(64).unwrap().sign(&issuer, now.plus(100 * 365 * DAY), 86_400, (1 << 53) - 1);
    let e = held.offer_status_list(&pk, &pk, Bytes::from(frozen.unwrap())).unwrap_err();
    assert_eq!(e.code(), "status_issued_in_future");
    assert!(held.status_by_key(&pk).is_none());

    // A list dated now is taken and kept on disk.
    let good = StatusListBuilder::new(64).unwrap().sign(&issuer, now, 86_400, 5).unwrap();
    assert!(matches!(held.offer_status_list(&pk, &pk, Bytes::from(good)).unwrap(), Offer::Installed { .. }));
    let file = path.join("lists").join(ikd_server::sync::status_file_name(&pk));
    assert!(file.exists());

    // The trust list moves the issuer's status list to a separate key: the held list, signed
    // by the issuer key, is dropped with its copy, and the new signer's list is taken.
    let mut b = TrustListBuilder::new(2, now, now.plus(7 * DAY));
    let mut e = entry(ISSUER_NAME, pk);
    e.status_key = Some(status_key.public_key());
    b.add(e).unwrap();
    b.next_roots(&[root.public_key()]);
    held.offer_trust_list(Bytes::from(b.sign(&[&root]).unwrap()), ikd_server::sync::Source::Synced).unwrap();
    assert!(held.status_by_key(&pk).is_none(), "the list of the replaced signer is dropped");
    assert!(!file.exists(), "and so is its copy");
    let by_new = StatusListBuilder::new(64).unwrap().sign_delegated(&pk, &status_key, now, 86_400, 1).unwrap();
    let signer = status_key.public_key();
    assert!(matches!(held.offer_status_list(&pk, &signer, Bytes::from(by_new)).unwrap(), Offer::Installed { .. }));

    // The status key is then marked compromised: its list is dropped too.
    let mut b = TrustListBuilder::new(3, now, now.plus(7 * DAY));
    let mut e = entry(ISSUER_NAME, pk);
    e.status_key = Some(signer);
    b.add(e).unwrap();
    let mut burnt = entry("STATUS KEY", signer);
    burnt.status = ikd_core::trustlist::KeyStatus::Compromised { since: now.plus(-DAY) };
    b.add(burnt).unwrap();
    b.next_roots(&[root.public_key()]);
    held.offer_trust_list(Bytes::from(b.sign(&[&root]).unwrap()), ikd_server::sync::Source::Synced).unwrap();
    assert!(held.status_by_key(&pk).is_none(), "a list of a compromised signer is dropped");
}

#[test]
fn regression_the_list_holder_part_of_sync_knows_no_http() {
    // Issue 14: `sync.rs` did six jobs; the holder part (`sync/hold.rs`) decides with
    // `ikd_core::list_holder` and must not reach for HTTP types (transport stays in
    // `sync/upstream.rs`).
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/sync/hold.rs")).unwrap();
    for word in ["axum", "hyper", "http_body", "HttpClient", "StatusCode", "fetch("] {
        assert!(!src.contains(word), "sync/hold.rs mentions {word}");
    }
    assert!(
        src.contains("decide_trust_list") && src.contains("decide_status_list"),
        "the holder uses the core's decisions"
    );
}
