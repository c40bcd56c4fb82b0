//! Independent work on a large host, side by side on the machine's cores.

/// `f` over `items`, results in the order of `items`: on one thread, or on
/// up to min(cores, 8) threads when there are at least `per_thread` items
/// for each (below that a thread costs more than it saves).
pub fn map<T: Sync, R: Send>(items: &[T], per_thread: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (items.len() / per_thread.max(1)).clamp(1, cores.min(8));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
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
        }
        assert!(super::map(&[] as &[u32], 4, |i| *i).is_empty());
    }
}
