//! Status-list and trust-list benchmarks: loading (verify + decode once) and looking up one
//! index, for 10 million entries at several revocation rates (`docs/TRUST-AND-STATUS.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// Issue 14: the benchmarks share the integration tests' helpers.
#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashSet;

use common::Rng;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ikd_core::status::{CredentialStatus, StatusList, StatusListBuilder};
use ikd_core::trustlist::{Scope, TrustList, TrustListBuilder, TrustListEntry};
use ikd_core::{SecretKey, StatusIndex, Timestamp};

const T0: i64 = 1_795_737_600;
const SIZE: u32 = 10_000_000;

fn list(count: usize, key: &SecretKey) -> Vec<u8> {
    let mut rng = Rng(count as u64);
    let mut set = HashSet::with_capacity(count);
    while set.len() < count {
        set.insert((rng.next() % u64::from(SIZE)) as u32);
    }
    let mut b = StatusListBuilder::new(SIZE).unwrap();
    for i in set {
        b.set(StatusIndex::new(i), CredentialStatus::Revoked).unwrap();
    }
    b.sign(key, Timestamp::from_unix(T0), 86_400, 1).unwrap()
}

fn benches(c: &mut Criterion) {
    let key = SecretKey::from_seed(&[0x11; 32]);
    let pk = key.public_key();
    for (label, count) in [("0.01%", 1_000usize), ("0.1%", 10_000), ("1%", 100_000), ("10%", 1_000_000)] {
        let bytes = list(count, &key);
        c.bench_with_input(BenchmarkId::new("status_load_10M", label), &bytes, |b, bytes| {
            b.iter(|| StatusList::verify(black_box(bytes), &pk).unwrap())
        });
        let loaded = StatusList::verify(&bytes, &pk).unwrap();
        let mut rng = Rng(7);
        let queries: Vec<StatusIndex> =
            (0..1024).map(|_| StatusIndex::new((rng.next() % u64::from(SIZE)) as u32)).collect();
        let mut n = 0usize;
        c.bench_with_input(BenchmarkId::new("status_lookup_10M", label), &loaded, |b, list| {
            b.iter(|| {
                n = (n + 1) & 1023;
                list.get(black_box(queries[n])).unwrap()
            })
        });
    }

    // A national trust list: 600 issuer keys, one or two per regency.
    let root = SecretKey::from_seed(&[0x01; 32]);
    let mut b = TrustListBuilder::new(1, Timestamp::from_unix(T0), Timestamp::from_unix(T0 + 7 * 86_400));
    for i in 0..600u32 {
        let mut seed = [0u8; 32];
        seed[..4].copy_from_slice(&i.to_le_bytes());
        let k = SecretKey::from_seed(&seed).public_key();
        let scope = Scope::regions([format!("{}{:02}", [11, 31, 32, 33, 35, 36][i as usize % 6], i % 80 + 1)]).unwrap();
        let e = TrustListEntry::new(
            format!("DISDUKCAPIL REGION {i}"),
            k,
            Timestamp::from_unix(T0 - 365 * 86_400),
            Timestamp::from_unix(T0 + 3650 * 86_400),
            scope,
        );
        b.add(e).unwrap();
    }
    let file = b.sign(&[&root]).unwrap();
    let roots = [root.public_key()];
    println!("trust list with 600 entries: {} bytes", file.len());
    c.bench_function("trust_list_load_600", |b| b.iter(|| TrustList::verify(black_box(&file), &roots).unwrap()));
    let tl = TrustList::verify(&file, &roots).unwrap();
    let id = tl.entries()[300].key_id();
    c.bench_function("trust_list_lookup_600", |b| b.iter(|| tl.lookup(black_box(id)).count()));
}

criterion_group! {
    name = status;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(status);
