//! mimalloc's options. By default it gives freed memory back to the system only after a delay
//! and on a later allocation, and commits its arenas eagerly: an idle server kept the 300 MiB
//! peak of building the directory's index (100,000 services) instead of settling at about
//! 120 MiB. Purging at once, on lazily committed arenas, keeps resident memory near what is in use.

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// The positions of the two options in `mi_option_t` (mimalloc 3, `include/mimalloc.h`); the
/// test below checks them against their documented defaults.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

pub fn return_freed_memory_at_once() {
    // SAFETY: setting an option is a plain store into mimalloc's option table.
    unsafe {
        mi_option_set(PURGE_DELAY, 0);
        mi_option_set(ARENA_EAGER_COMMIT, 0);
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
        return_freed_memory_at_once();
        assert_eq!((get(PURGE_DELAY), get(ARENA_EAGER_COMMIT)), (0, 0));
    }
}
