//! Independent work on a large host, side by side on the machine's cores.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads share `len` items: one, or up to min(cores, 8) when
/// there are at least `per_thread` items for each (below that a thread
/// costs more than it saves).
fn threads_for(len: usize, per_thread: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (len / per_thread.max(1)).clamp(1, cores.min(8))
}

/// Runs per thread: `items` is cut into this many runs for each thread, and
/// a thread that is free takes the next. Cut into one run per thread, a
/// thread that the machine slowed (another process on its core, a run of
/// slower items) kept the others waiting for it at the end.
const RUNS_PER_THREAD: usize = 8;

/// `f` on contiguous runs of `items`, taken in turn by up to
/// [`threads_for`] threads (this one included), results in the order of
/// the runs.
pub fn runs<T: Sync, R: Send>(
    items: &[T],
    per_thread: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = threads_for(items.len(), per_thread);
    if threads == 1 {
        return vec![f(items)];
    }
    let runs: Vec<&[T]> = items
        .chunks(items.len().div_ceil(threads * RUNS_PER_THREAD))
        .collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(run) = runs.get(i) else {
                return done;
            };
            done.push((i, f(run)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        // A thread that cannot be made (ulimit -u, little address space)
        // leaves its runs to the others: this thread takes them all if need be.
        let others: Vec<_> = (1..threads)
            .map_while(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok())
            .collect();
        let mut done = work();
        for h in others {
            done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `f` over `items`, results in the order of `items`, on contiguous runs as
/// [`runs`] makes them.
pub fn map<T: Sync, R: Send>(items: &[T], per_thread: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    runs(items, per_thread, |run| {
        run.iter().map(&f).collect::<Vec<R>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// `(a(), b())`, with `a` on a second thread when the machine has more than
/// one core.
pub fn both<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return (a(), b());
    }
    // `a` stays here until a thread takes it: if no thread can be made
    // (ulimit -u, little address space), it runs here after `b`.
    let a = std::sync::Mutex::new(Some(a));
    let run_a = || a.lock().ok().and_then(|mut a| a.take()).map(|a| a());
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().spawn_scoped(scope, run_a).ok();
        let b = b();
        let from_thread =
            thread.and_then(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        let a = match from_thread {
            Some(a) => a,
            None => run_a().expect("`a` runs on the thread or here, once"),
        };
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..10_000).collect();
        for per_thread in [1, 7, 512, 100_000] {
            let got = super::map(&items, per_thread, |i| i * 2);
            assert_eq!(got, items.iter().map(|i| i * 2).collect::<Vec<_>>());
            let sums: u32 = super::runs(&items, per_thread, |r| r.len() as u32)
                .iter()
                .sum();
            assert_eq!(sums, 10_000);
        }
        assert!(super::map(&[] as &[u32], 4, |i| *i).is_empty());
        assert_eq!(super::both(|| 1, || 2), (1, 2));
    }
}
