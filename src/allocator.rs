//! Native only: large freed buffers stay in the process instead of going back to the system.
//!
//! burn's CPU backend allocates a fresh buffer for the output of most tensor operations, and
//! glibc's malloc maps every block above its threshold (128 KB to start with) from the kernel
//! and unmaps it when freed, so each operation page-faults its output in again: a third of a
//! training benchmark's time was in the kernel's page-fault path (`perf record`). Keeping blocks
//! up to 32 MB in the heap, and the heap untrimmed, made the forward pass 22–25% faster,
//! features 30% faster and uncached training epochs about 20% faster (README, "Benchmarks").
//! The browser's allocator never gives memory back, so the page has no such cost.

/// Blocks up to this size come from the heap, not from a mapping of their own.
const MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory at the top of the heap is handed back only beyond this.
const TRIM_THRESHOLD: i32 = 1 << 30;
/// Each time the heap grows, it grows by this much more than asked.
const TOP_PAD: i32 = 64 << 20;

/// Tunes malloc for the rest of the process; call it first thing in `main`, before threads.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    for (parameter, value) in [
        (libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        (libc::M_TOP_PAD, TOP_PAD),
    ] {
        // SAFETY: mallopt only sets malloc's thresholds; called before any allocation races.
        unsafe { libc::mallopt(parameter, value) };
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}

/// The same settings for another process (a benchmark's PyTorch side), as the value of its
/// `GLIBC_TUNABLES` environment variable.
pub fn glibc_tunables() -> String {
    format!(
        "glibc.malloc.mmap_threshold={MMAP_THRESHOLD}:glibc.malloc.trim_threshold={TRIM_THRESHOLD}:\
         glibc.malloc.top_pad={TOP_PAD}"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn another_process_gets_the_same_numbers() {
        assert_eq!(
            super::glibc_tunables(),
            "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824:\
             glibc.malloc.top_pad=67108864"
        );
    }
}
