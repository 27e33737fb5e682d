//! The log's writer: lines gathered in memory and written out together (issue 18).
//!
//! The access log writes a line for every request. Written straight to standard output, each
//! line was a `write` system call on the request's worker (about one in nine of all the
//! server's system calls under load). Here a line is appended to a buffer in memory; the buffer
//! is written out in one call when it holds [`HIGH_WATER`] bytes, at the latest
//! [`FLUSH_EVERY`] after it was last written, and at once after a warning or an error (with
//! every line before it, so the order is kept). [`LogWriter::flush`] writes what is left when
//! the server stops. What a crash (a kill -9, a power cut) can lose is at most the last
//! [`FLUSH_EVERY`] of info lines; warnings and errors are never held. The audit log, not this
//! log, is the record of processing (`docs/SERVER.md` §6).

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// Longest time a line waits in memory before it is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Bytes waiting that are written at once, without waiting for the next flush.
pub const HIGH_WATER: usize = 32 * 1024;

struct Inner<W> {
    buf: Vec<u8>,
    sink: W,
}

/// A buffered log sink shared by every thread (see the module's documentation).
pub struct LogWriter<W: Write + Send> {
    inner: Mutex<Inner<W>>,
}

impl<W: Write + Send> std::fmt::Debug for LogWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogWriter").finish_non_exhaustive()
    }
}

impl<W: Write + Send> LogWriter<W> {
    /// A writer to `sink`.
    pub fn new(sink: W) -> LogWriter<W> {
        LogWriter { inner: Mutex::new(Inner { buf: Vec::with_capacity(HIGH_WATER), sink }) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<W>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes out every line held. A sink that fails (standard output closed) loses them, as
    /// an unbuffered write would have.
    pub fn flush(&self) {
        let mut inner = self.lock();
        Self::write_out(&mut inner);
    }

    fn write_out(inner: &mut Inner<W>) {
        if inner.buf.is_empty() {
            return;
        }
        let Inner { buf, sink } = inner;
        let _ = sink.write_all(buf).and_then(|()| sink.flush());
        buf.clear();
    }

    fn append(&self, bytes: &[u8]) {
        let mut inner = self.lock();
        inner.buf.extend_from_slice(bytes);
        if inner.buf.len() >= HIGH_WATER {
            Self::write_out(&mut inner);
        }
    }
}

/// The handle `tracing_subscriber` writes through.
#[derive(Debug)]
pub struct SharedLog<W: Write + Send>(pub Arc<LogWriter<W>>);

impl<W: Write + Send> Clone for SharedLog<W> {
    fn clone(&self) -> Self {
        SharedLog(Arc::clone(&self.0))
    }
}

/// One event's writer: appends to the buffer; for a warning or an error, writes the buffer out
/// when the event is complete.
#[derive(Debug)]
pub struct EventWriter<'a, W: Write + Send> {
    log: &'a LogWriter<W>,
    urgent: bool,
}

impl<W: Write + Send> Write for EventWriter<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.log.append(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send> Drop for EventWriter<'_, W> {
    fn drop(&mut self) {
        if self.urgent {
            self.log.flush();
        }
    }
}

impl<'a, W: Write + Send + 'static> MakeWriter<'a> for SharedLog<W> {
    type Writer = EventWriter<'a, W>;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter { log: &self.0, urgent: true }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        // Levels compare by verbosity: WARN and ERROR are the ones at or below WARN.
        EventWriter { log: &self.0, urgent: *meta.level() <= Level::WARN }
    }
}

/// Starts the thread that writes the buffer out every [`FLUSH_EVERY`]. It lives as long as the
/// process.
pub fn start_flusher<W: Write + Send + 'static>(log: Arc<LogWriter<W>>) -> std::io::Result<()> {
    std::thread::Builder::new().name("ikd-log".into()).spawn(move || {
        loop {
            std::thread::sleep(FLUSH_EVERY);
            log.flush();
        }
    })?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(b.to_vec());
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Writes and what they held, joined.
    fn written(s: &Sink) -> (usize, String) {
        let w = s.0.lock().unwrap();
        (w.len(), w.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect())
    }

    /// Runs `f` with a text subscriber writing to a new log over a new sink.
    fn logging(f: impl FnOnce(&LogWriter<Sink>, &Sink)) {
        let sink = Sink::default();
        let log = Arc::new(LogWriter::new(sink.clone()));
        let subscriber = tracing_subscriber::fmt()
            .with_writer(SharedLog(Arc::clone(&log)))
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || f(&log, &sink));
    }

    #[test]
    fn info_lines_wait_and_a_warning_writes_them_out_in_order() {
        logging(|log, sink| {
            tracing::info!("one");
            tracing::info!("two");
            assert_eq!(written(sink).0, 0, "info lines are held");
            tracing::warn!("three");
            assert_eq!(written(sink), (1, " INFO one\n INFO two\n WARN three\n".to_owned()), "one write, in order");
            tracing::info!("four");
            tracing::error!("five");
            assert_eq!(written(sink).0, 2);
            assert!(written(sink).1.ends_with(" INFO four\nERROR five\n"), "{}", written(sink).1);
            log.flush();
            assert_eq!(written(sink).0, 2, "nothing held: nothing written");
        });
    }

    #[test]
    fn a_full_buffer_is_written_at_once() {
        logging(|_, sink| {
            let text = "x".repeat(1000);
            let mut events = 0;
            while written(sink).0 == 0 {
                tracing::info!("{text}");
                events += 1;
                assert!(events <= HIGH_WATER / 1000 + 1, "{events} events and still nothing written");
            }
            assert!(events > HIGH_WATER / 1010, "written after {events} events");
        });
    }

    #[test]
    fn the_flusher_writes_held_lines_within_its_period() {
        let sink = Sink::default();
        let log = Arc::new(LogWriter::new(sink.clone()));
        log.append(b"held\n");
        start_flusher(Arc::clone(&log)).unwrap();
        let start = std::time::Instant::now();
        while written(&sink).0 == 0 && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(written(&sink), (1, "held\n".to_owned()));
    }
}
