//! A progress bar on stderr, drawn only when stderr is a terminal.

use std::{
    io::{IsTerminal, Write},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    thread,
    time::Duration,
};

#[derive(Debug)]
pub struct Progress {
    pub done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(label: &'static str, total: usize) -> Self {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let handle = std::io::stderr().is_terminal().then(|| {
            let (done, stop) = (done.clone(), stop.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    draw(label, done.load(Ordering::Relaxed), total);
                    thread::sleep(Duration::from_millis(100));
                }
                draw(label, done.load(Ordering::Relaxed), total);
                eprintln!();
            })
        });
        Progress { done, stop, handle }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn draw(label: &str, done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{label} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(WIDTH - filled.min(WIDTH)));
    let _ = err.flush();
}
