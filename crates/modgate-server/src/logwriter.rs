//! Where log lines go: a shared in-memory buffer that a writer thread empties
//! into stderr (or any `Write`), so a request never waits for a system call.
//!
//! Why not `tracing-appender`'s non-blocking writer: it hands every line to its
//! thread through a channel whose receiver spins (`sched_yield`) and is woken by
//! a futex per line. Profiling `modgate serve` at 25k requests/s showed that
//! channel and its per-line `write(2)` taking about a fifth of the process's CPU.
//! Here a line is a `memcpy` under a mutex; the writer thread is woken once when
//! the buffer goes from empty to non-empty, lets lines gather for [`LINGER`],
//! then writes the lot in one call. A quiet server's lines still appear within
//! [`LINGER`]. Lines are never dropped: past [`MAX_PENDING`] bytes a logging
//! thread writes the backlog itself (back-pressure instead of unbounded memory).
//! Dropping the [`FlushGuard`] writes what is pending and stops the thread.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the writer lets lines gather after the first one arrives.
pub const LINGER: Duration = Duration::from_millis(20);

/// Pending bytes past which the logging thread writes them out itself.
pub const MAX_PENDING: usize = 4 << 20;

struct State {
    pending: Vec<u8>,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    out: Mutex<Box<dyn Write + Send>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `batch` to the output. Errors are ignored: there is nowhere left
    /// to report a failing log destination.
    fn write_out(&self, batch: &[u8]) {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = out.write_all(batch);
        let _ = out.flush();
    }
}

/// The `MakeWriter` handed to `tracing_subscriber`.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// Keeps the writer thread alive; dropping it flushes and joins it.
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Starts the writer thread for `out`.
pub fn batch_writer(out: impl Write + Send + 'static) -> (BatchWriter, FlushGuard) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            pending: Vec::with_capacity(64 * 1024),
            stop: false,
        }),
        wake: Condvar::new(),
        out: Mutex::new(Box::new(out)),
    });
    let worker = shared.clone();
    let thread = std::thread::Builder::new()
        .name("modgate-log".into())
        .spawn(move || run(&worker))
        .ok();
    (
        BatchWriter {
            shared: shared.clone(),
        },
        FlushGuard { shared, thread },
    )
}

fn run(shared: &Shared) {
    let mut spare = Vec::with_capacity(64 * 1024);
    loop {
        let mut st = shared.state();
        while st.pending.is_empty() && !st.stop {
            st = shared.wake.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
        if !st.stop {
            drop(st);
            std::thread::sleep(LINGER);
            st = shared.state();
        }
        let stop = st.stop;
        std::mem::swap(&mut st.pending, &mut spare);
        // Take the output before letting go of the buffer, so that a backlog
        // another thread writes (see `BatchWriter::write`) cannot overtake
        // these older lines.
        let mut out = shared.out.lock().unwrap_or_else(PoisonError::into_inner);
        drop(st);
        if !spare.is_empty() {
            let _ = out.write_all(&spare);
            let _ = out.flush();
            spare.clear();
        }
        drop(out);
        if stop {
            return;
        }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.state().stop = true;
        self.shared.wake.notify_one();
        match self.thread.take() {
            Some(t) => {
                let _ = t.join();
            }
            // The thread never started: write what was logged directly.
            None => {
                let rest = std::mem::take(&mut self.shared.state().pending);
                self.shared.write_out(&rest);
            }
        }
    }
}

impl BatchWriter {
    /// Appends `buf` (whole lines) to the pending batch.
    pub fn append(&self, buf: &[u8]) {
        let mut st = self.shared.state();
        if st.stop {
            drop(st);
            self.shared.write_out(buf);
            return;
        }
        let was_empty = st.pending.is_empty();
        st.pending.extend_from_slice(buf);
        if st.pending.len() > MAX_PENDING {
            let backlog = std::mem::take(&mut st.pending);
            // Hold the output lock before releasing the state lock so the
            // backlog is written before anything logged after it.
            let mut out = self
                .shared
                .out
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            drop(st);
            let _ = out.write_all(&backlog);
            let _ = out.flush();
            return;
        }
        drop(st);
        if was_empty {
            self.shared.wake.notify_one();
        }
    }
}

impl Write for BatchWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BatchWriter {
    type Writer = BatchWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests;
