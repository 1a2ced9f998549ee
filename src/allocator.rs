//! Native only: large freed buffers stay in the process instead of going back to the system.
//!
//! burn's CPU backend allocates a fresh buffer for the output of most tensor operations, and
//! glibc's malloc maps every block above its threshold (128 KB to start with) from the kernel
//! and unmaps it when freed, so each operation page-faults its output in again: a third of a
//! training benchmark's time was in the kernel's page-fault path (`perf record`). Keeping blocks
//! up to 32 MB in the heap, and the heap untrimmed, made features 22% faster and uncached
//! training epochs 15–20% faster (README, "Benchmarks"). The browser's allocator never gives
//! memory back, so the page has no such cost.

/// Tunes malloc for the rest of the process; call it first thing in `main`, before threads.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    for (parameter, value) in GLIBC_SETTINGS {
        // SAFETY: mallopt only sets malloc's thresholds; called before any allocation races.
        unsafe { libc::mallopt(parameter, value) };
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
const GLIBC_SETTINGS: [(libc::c_int, libc::c_int); 3] = [
    (libc::M_MMAP_THRESHOLD, 32 << 20),
    (libc::M_TRIM_THRESHOLD, 1 << 30),
    (libc::M_TOP_PAD, 64 << 20),
];

/// The same settings for another process (a benchmark's PyTorch side): the value of the
/// `GLIBC_TUNABLES` environment variable.
pub const GLIBC_TUNABLES: &str = "glibc.malloc.mmap_threshold=33554432:\
glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864";
