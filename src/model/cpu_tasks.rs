//! How the CPU kernels of `batch_norm_cpu` and `depthwise_cpu` run: chunks of a buffer in
//! parallel natively (on the thread pool burn Flex already runs; one thread in the browser),
//! loops compiled for the widest vectors the processor has.

/// `work(index, chunk)` on every `chunk`-long piece of `values`, in parallel natively, at least
/// `min_elements` per task (small chunks, like 7x7 planes, group into one task); the results in
/// chunk order.
pub fn map_chunks<R: Send>(
    values: &mut [f32],
    chunk: usize,
    min_elements: usize,
    work: impl Fn(usize, &mut [f32]) -> R + Sync,
) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        values
            .par_chunks_mut(chunk)
            .enumerate()
            .with_min_len(min_elements.div_ceil(chunk))
            .map(|(index, values)| work(index, values))
            .collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = min_elements;
        values
            .chunks_mut(chunk)
            .enumerate()
            .map(|(index, values)| work(index, values))
            .collect()
    }
}

/// `work(index)` for `0..count` in parallel natively, the results added element by element.
pub fn sum_of(count: usize, work: impl Fn(usize) -> Vec<f32> + Sync) -> Vec<f32> {
    let add = |mut a: Vec<f32>, b: Vec<f32>| {
        a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        a
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        (0..count)
            .into_par_iter()
            .map(&work)
            .reduce_with(add)
            .unwrap_or_default()
    }
    #[cfg(target_arch = "wasm32")]
    (0..count).map(work).reduce(add).unwrap_or_default()
}

/// Runs `work` compiled for the widest vectors the processor has (AVX-512 or AVX2 natively,
/// chosen at run time; in wasm the build's SIMD128).
#[inline(always)]
pub fn vectorised<R>(work: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(work)
}
