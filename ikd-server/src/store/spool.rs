//! The local audit spool: where the audit writer keeps audit batches while a shared store
//! (PostgreSQL) cannot take them, so verification goes on during an outage and no entry is
//! lost. When the database answers again the spooled batches are chained, oldest first.
//!
//! Layout: `<data_dir>/audit-spool/<unix-nanos>-<random>.open` is the segment being written;
//! full segments (and the open one when the database comes back) are renamed `.sealed`. One
//! line per batch, JSON: `{"id": "<batch id>", "records": [{...}, ...]}`. Every line is
//! written and `fdatasync`ed before the requests it holds are answered. A sealed segment is
//! deleted only after the transaction that chained it committed; a segment chained twice (the
//! process stopped between commit and delete) is harmless, because each batch's id is stored
//! with it and a known id is skipped ([`super::Appended::AlreadyPresent`]).
//!
//! Records hold what the audit log holds (time, event, counter id, source, serial, key id,
//! verdict, code): never personal data. Files are created mode 0600 in a 0700 folder.
//! A last line cut short (the process died while writing it) was never acknowledged and is
//! dropped; any other unreadable line makes the segment `.corrupt` and it is left for the
//! operator (logged, counted in `/readyz`).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{AuditBatch, AuditRecord, SpoolConfig, static_event, static_source};

/// A segment is sealed once it holds this many bytes.
const SEGMENT_BYTES: u64 = 4 * 1024 * 1024;

/// The spool of one server instance.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    open: Option<Segment>,
    bytes: u64,
    records: u64,
    corrupt: u64,
}

#[derive(Debug)]
struct Segment {
    path: PathBuf,
    file: File,
    bytes: u64,
}

/// A sealed segment, ready to be chained.
#[derive(Debug)]
pub struct Sealed {
    /// Its file.
    pub path: PathBuf,
    /// Its batches, in order.
    pub batches: Vec<AuditBatch>,
    bytes: u64,
}

impl Sealed {
    /// Records in it.
    pub fn records(&self) -> u64 {
        self.batches.iter().map(|b| b.records.len() as u64).sum()
    }
}

fn ext(p: &Path) -> &str {
    p.extension().and_then(|e| e.to_str()).unwrap_or("")
}

impl Spool {
    /// Opens the spool folder (creating it), seals a segment left open by an earlier run, and
    /// counts what is waiting.
    pub fn open(cfg: &SpoolConfig) -> io::Result<Spool> {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&cfg.dir)?;
        let mut spool =
            Spool { dir: cfg.dir.clone(), max_bytes: cfg.max_bytes, open: None, bytes: 0, records: 0, corrupt: 0 };
        for p in spool.files()? {
            match ext(&p) {
                "open" => {
                    std::fs::rename(&p, p.with_extension("sealed"))?;
                }
                "corrupt" => spool.corrupt += 1,
                _ => {}
            }
        }
        sync_dir(&spool.dir);
        for p in spool.files()? {
            if ext(&p) == "sealed" {
                match read_segment(&p) {
                    Ok(s) => {
                        spool.bytes += s.bytes;
                        spool.records += s.records();
                    }
                    Err(e) => spool.quarantine(&p, &e),
                }
            }
        }
        Ok(spool)
    }

    /// Records waiting (in sealed and open segments).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Bytes waiting.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The most bytes kept.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Segments set aside as unreadable.
    pub fn corrupt(&self) -> u64 {
        self.corrupt
    }

    /// Nothing waiting.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn files(&self) -> io::Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> =
            std::fs::read_dir(&self.dir)?.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
        // Names start with a fixed-width timestamp: name order is creation order.
        v.sort();
        Ok(v)
    }

    /// Appends a batch and syncs it to disk. Refuses (and writes nothing) when the spool would
    /// grow past its limit.
    pub fn write(&mut self, batch: &AuditBatch) -> io::Result<()> {
        let mut line = serde_json::to_vec(&batch_json(batch)).map_err(io::Error::other)?;
        line.push(b'\n');
        let len = line.len() as u64;
        if self.bytes + len > self.max_bytes {
            return Err(io::Error::other(format!(
                "the audit spool is full ({} of {} bytes)",
                self.bytes, self.max_bytes
            )));
        }
        if self.open.is_none() {
            let name = format!("{:020}-{}.open", unix_nanos(), random_hex());
            let path = self.dir.join(name);
            let mut o = OpenOptions::new();
            o.create_new(true).append(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let file = o.open(&path)?;
            sync_dir(&self.dir);
            self.open = Some(Segment { path, file, bytes: 0 });
        }
        let Some(seg) = self.open.as_mut() else { return Err(io::Error::other("no open segment")) };
        seg.file.write_all(&line)?;
        seg.file.sync_data()?;
        seg.bytes += len;
        self.bytes += len;
        self.records += batch.records.len() as u64;
        if seg.bytes >= SEGMENT_BYTES {
            self.seal()?;
        }
        Ok(())
    }

    /// Closes the open segment (renamed `.sealed`), so it can be chained.
    pub fn seal(&mut self) -> io::Result<()> {
        if let Some(seg) = self.open.take() {
            seg.file.sync_all()?;
            drop(seg.file);
            std::fs::rename(&seg.path, seg.path.with_extension("sealed"))?;
            sync_dir(&self.dir);
        }
        Ok(())
    }

    /// The oldest sealed segment, read. Unreadable segments are set aside (`.corrupt`).
    pub fn oldest_sealed(&mut self) -> io::Result<Option<Sealed>> {
        for p in self.files()? {
            if ext(&p) != "sealed" {
                continue;
            }
            match read_segment(&p) {
                Ok(s) => return Ok(Some(s)),
                Err(e) => {
                    // Its size is no longer waiting to be chained.
                    let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                    self.quarantine(&p, &e);
                    self.bytes = self.bytes.saturating_sub(len);
                }
            }
        }
        Ok(None)
    }

    /// Deletes a segment whose batches are now in the chain.
    pub fn remove(&mut self, sealed: &Sealed) -> io::Result<()> {
        std::fs::remove_file(&sealed.path)?;
        sync_dir(&self.dir);
        self.bytes = self.bytes.saturating_sub(sealed.bytes);
        self.records = self.records.saturating_sub(sealed.records());
        Ok(())
    }

    fn quarantine(&mut self, p: &Path, e: &io::Error) {
        tracing::error!(file = %p.display(), error = %e, "audit spool segment is unreadable; set aside as .corrupt");
        if std::fs::rename(p, p.with_extension("corrupt")).is_ok() {
            self.corrupt += 1;
        }
    }
}

fn batch_json(b: &AuditBatch) -> Value {
    let records: Vec<Value> = b
        .records
        .iter()
        .map(|r| {
            json!({
                "at": r.at, "event": r.event, "actor": r.actor, "source": r.source, "serial": r.serial,
                "key_id": r.key_id, "verdict": r.verdict, "code": r.code, "items": r.items,
            })
        })
        .collect();
    json!({ "id": b.id, "records": records })
}

fn str_field(v: &Value, k: &str) -> io::Result<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| io::Error::other(format!("field `{k}` missing")))
}

fn parse_batch(line: &[u8]) -> io::Result<AuditBatch> {
    let v: Value = serde_json::from_slice(line).map_err(io::Error::other)?;
    let id = str_field(&v, "id")?;
    let recs = v.get("records").and_then(Value::as_array).ok_or_else(|| io::Error::other("no records"))?;
    let mut records = Vec::with_capacity(recs.len());
    for r in recs {
        let event = str_field(r, "event")?;
        let source = str_field(r, "source")?;
        let (event, source) = (static_event(&event), static_source(&source));
        if event == "?" || source == "?" {
            return Err(io::Error::other("unknown event or source"));
        }
        records.push(AuditRecord {
            at: str_field(r, "at")?,
            event,
            actor: str_field(r, "actor")?,
            source,
            serial: r.get("serial").and_then(Value::as_u64),
            key_id: r.get("key_id").and_then(Value::as_str).map(str::to_owned),
            verdict: str_field(r, "verdict")?,
            code: str_field(r, "code")?,
            items: r.get("items").and_then(Value::as_str).map(str::to_owned),
        });
    }
    Ok(AuditBatch { id, records })
}

/// Reads a segment. A last line without its newline was cut short by a crash before it was
/// synced and acknowledged: it is dropped. Any other bad line is an error.
fn read_segment(path: &Path) -> io::Result<Sealed> {
    let data = std::fs::read(path)?;
    let bytes = data.len() as u64;
    let mut batches = Vec::new();
    let mut rest: &[u8] = &data;
    while !rest.is_empty() {
        let (line, next, complete) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..).unwrap_or_default(), true),
            None => (rest, &[][..], false),
        };
        rest = next;
        if line.is_empty() {
            continue;
        }
        match parse_batch(line) {
            Ok(b) => batches.push(b),
            Err(_) if !complete => {
                tracing::warn!(file = %path.display(), "dropping a torn last line of an audit spool segment");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Sealed { path: path.to_owned(), batches, bytes })
}

fn sync_dir(dir: &Path) {
    // Makes a create/rename/delete durable; best effort (not every platform can open a dir).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn unix_nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

fn random_hex() -> String {
    let mut b = [0u8; 4];
    let _ = getrandom::fill(&mut b);
    hex::encode(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn rec(i: u64) -> AuditRecord {
        AuditRecord {
            at: "2026-11-27T00:00:00Z".into(),
            event: "verify",
            actor: "loket-1".into(),
            source: "text",
            serial: Some(i),
            key_id: Some("abcdef".into()),
            verdict: "VALID".into(),
            code: "ok".into(),
            items: None,
        }
    }

    fn tmp() -> PathBuf {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        std::env::temp_dir().join(format!("ikd-spool-test-{}", hex::encode(b)))
    }

    #[test]
    fn write_seal_read_remove_and_torn_tail() {
        let dir = tmp();
        let cfg = SpoolConfig { dir: dir.clone(), max_bytes: 1 << 20 };
        let mut s = Spool::open(&cfg).unwrap();
        let b1 = AuditBatch::new(vec![rec(1), rec(2)]).unwrap();
        // A `verify_batch` entry keeps its items through the spool.
        let batch_entry = AuditRecord {
            event: "verify_batch",
            source: "batch",
            items: Some("0 VALID ok 3 abcdef\n1 INVALID decode_wrong_prefix - -".into()),
            ..rec(3)
        };
        let b2 = AuditBatch::new(vec![batch_entry]).unwrap();
        s.write(&b1).unwrap();
        s.write(&b2).unwrap();
        assert_eq!(s.records(), 3);
        // A crash: the open segment is sealed by the next run, with a torn last line appended.
        let open = s.files().unwrap().into_iter().find(|p| ext(p) == "open").unwrap();
        drop(s);
        let mut f = OpenOptions::new().append(true).open(&open).unwrap();
        f.write_all(b"{\"id\":\"x\",\"reco").unwrap();
        let mut s = Spool::open(&cfg).unwrap();
        assert_eq!(s.records(), 3);
        let sealed = s.oldest_sealed().unwrap().unwrap();
        assert_eq!(sealed.batches, vec![b1, b2]);
        s.remove(&sealed).unwrap();
        assert!(s.is_empty());
        assert!(s.oldest_sealed().unwrap().is_none());
        // The limit is enforced.
        let mut small = Spool::open(&SpoolConfig { dir: dir.clone(), max_bytes: 100 }).unwrap();
        assert!(small.write(&AuditBatch::new(vec![rec(1), rec(2)]).unwrap()).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
