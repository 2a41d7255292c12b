use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;

/// A `Write` whose contents the test can read, counting write calls.
#[derive(Clone, Default)]
struct Sink {
    data: Arc<Mutex<Vec<u8>>>,
    writes: Arc<Mutex<usize>>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.data.lock().unwrap().extend_from_slice(buf);
        *self.writes.lock().unwrap() += 1;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn text(&self) -> String {
        String::from_utf8(self.data.lock().unwrap().clone()).unwrap()
    }
}

#[test]
fn lines_from_many_threads_arrive_whole_in_order_per_thread_and_batched() {
    let sink = Sink::default();
    let (w, guard) = batch_writer(sink.clone());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let mut w = w.clone();
            std::thread::spawn(move || {
                for i in 0..2000 {
                    w.write_all(format!("t{t} line {i}\n").as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(guard);
    let text = sink.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8000);
    for t in 0..4 {
        let mine: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with(&format!("t{t} ")))
            .collect();
        let want: Vec<String> = (0..2000).map(|i| format!("t{t} line {i}")).collect();
        assert_eq!(mine, want, "thread {t}'s lines out of order or mangled");
    }
    // 8000 lines written in a burst leave in far fewer writes.
    let writes = *sink.writes.lock().unwrap();
    assert!(writes < 800, "{writes} writes for 8000 lines");
}

#[test]
fn a_quiet_line_appears_without_a_flush() {
    let sink = Sink::default();
    let (mut w, _guard) = batch_writer(sink.clone());
    w.write_all(b"hello\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while sink.text().is_empty() {
        assert!(Instant::now() < deadline, "line never written");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(sink.text(), "hello\n");
}

#[test]
fn a_backlog_past_the_limit_is_written_by_the_logger_in_order() {
    let sink = Sink::default();
    let (mut w, guard) = batch_writer(sink.clone());
    let line = vec![b'x'; 1023];
    let mut expect = Vec::new();
    for i in 0..(3 * MAX_PENDING / 1024) {
        let mut l = format!("{i:08}").into_bytes();
        l.extend_from_slice(&line[8..]);
        l.push(b'\n');
        w.write_all(&l).unwrap();
        expect.extend_from_slice(&l);
    }
    drop(guard);
    assert_eq!(*sink.data.lock().unwrap(), expect);
}

#[test]
fn lines_after_the_guard_is_dropped_are_written_directly() {
    let sink = Sink::default();
    let (mut w, guard) = batch_writer(sink.clone());
    w.write_all(b"before\n").unwrap();
    drop(guard);
    w.write_all(b"after\n").unwrap();
    assert_eq!(sink.text(), "before\nafter\n");
}
