//! mimalloc's options, and when the server hands freed memory back.
//!
//! By default mimalloc gives freed memory back to the system only after a delay and on a later
//! allocation, and commits its arenas eagerly: an idle server kept the 300 MiB peak of building
//! the directory's index (100,000 services) instead of settling near 150 MiB. Purging at once
//! keeps resident memory low but makes large pages slow: the regional dashboard gave its memory
//! back after every request and faulted it in again on the next, a third of its time in the
//! kernel. So freed memory is purged after a short delay; a worker thread about to wait for
//! work hands its unused pages back (`collect_when_idle`), and a thread purges once a second
//! what nobody took (`spawn_purger`), because mimalloc itself purges only on a later allocation.

use std::cell::Cell;
use std::time::{Duration, Instant};

use libmimalloc_sys::{mi_collect, mi_option_set, mi_option_t, mi_thread_init};

/// The positions of the two options in `mi_option_t` (mimalloc 3, `include/mimalloc.h`); the
/// test below checks them against their documented defaults.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

/// Freed memory is purged after this many milliseconds (mimalloc's arenas: ten times as long).
const PURGE_DELAY_MS: i64 = 100;
/// A worker thread hands its unused pages back at most this often.
const COLLECT_EVERY: Duration = Duration::from_millis(100);
/// How often unused memory is purged whatever the threads do.
const PURGE_EVERY: Duration = Duration::from_secs(1);

/// Sets the two options, each unless the operator set it with mimalloc's own environment
/// variable (`MIMALLOC_PURGE_DELAY`, `MIMALLOC_ARENA_EAGER_COMMIT`): mimalloc reads those first.
pub fn configure() {
    for (option, variable, value) in
        [(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", PURGE_DELAY_MS), (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0)]
    {
        if std::env::var_os(variable).is_none() {
            // SAFETY: setting an option is a plain store into mimalloc's option table.
            unsafe { mi_option_set(option, value as std::os::raw::c_long) };
        }
    }
}

/// For a runtime worker about to wait for work: hands the pages it no longer uses back to
/// mimalloc's arenas, where the next request on any thread takes them before they are purged.
pub fn collect_when_idle() {
    thread_local! {
        static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
    }
    let now = Instant::now();
    if LAST.get().is_some_and(|last| now.duration_since(last) < COLLECT_EVERY) {
        return;
    }
    LAST.set(Some(now));
    // SAFETY: collects the calling thread's own heap.
    unsafe { mi_collect(false) };
}

/// Starts the thread that purges, once a second, the memory the arenas hold unused.
pub fn spawn_purger() {
    let spawned = std::thread::Builder::new().name("purger".into()).spawn(|| {
        // mimalloc collects only from a thread with a heap of its own, and this thread never
        // allocates to be given one.
        // SAFETY: initialising the calling thread's heap is what mimalloc does on its first
        // allocation.
        unsafe { mi_thread_init() };
        loop {
            std::thread::sleep(PURGE_EVERY);
            // SAFETY: a forced collection purges every arena; mimalloc makes it thread-safe.
            unsafe { mi_collect(true) };
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the thread that purges freed memory");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_positions_are_those_of_the_linked_mimalloc() {
        // Read before anything sets them: the defaults of mimalloc 3 (purge delay 1,000 ms,
        // arena eager commit 2), so a reordered enum in another version fails here.
        let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
        assert_eq!(get(PURGE_DELAY), 1000);
        assert_eq!(get(ARENA_EAGER_COMMIT), 2);
        configure();
        assert_eq!((get(PURGE_DELAY), get(ARENA_EAGER_COMMIT)), (PURGE_DELAY_MS as _, 0));
    }
}
