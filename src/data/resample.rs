//! Bicubic resampling that reproduces Pillow's `Image.resize(..., BICUBIC)` bit for bit on
//! 8-bit images: the reference features come from a PIL/torchvision pipeline, and a
//! different (even "better") filter moves the pooled features far more than 1e-3.
//!
//! Pillow filters separably (horizontal, then vertical), widens the kernel by the downscale
//! factor (antialiasing), and rounds each pass to 8 bits with 22-bit fixed-point weights.

const PRECISION_BITS: u32 = 32 - 8 - 2;
const BICUBIC_SUPPORT: f64 = 2.0;

fn bicubic(x: f64) -> f64 {
    const A: f64 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * A
    } else {
        0.0
    }
}

/// For every output pixel: the first input pixel it reads and its fixed-point weights.
struct Coefficients {
    first: Vec<usize>,
    weights: Vec<Vec<i32>>,
}

fn coefficients(in_size: usize, out_size: usize) -> Coefficients {
    let scale = in_size as f64 / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = BICUBIC_SUPPORT * filter_scale;
    let mut first = Vec::with_capacity(out_size);
    let mut weights = Vec::with_capacity(out_size);
    for out in 0..out_size {
        let center = (out as f64 + 0.5) * scale;
        // `as` truncates toward zero, as C's (int) cast in Pillow does.
        let start = ((center - support + 0.5) as i64).max(0) as usize;
        let end = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
        let raw: Vec<f64> = (start..end)
            .map(|x| bicubic((x as f64 - center + 0.5) / filter_scale))
            .collect();
        let total: f64 = raw.iter().sum();
        let fixed = raw
            .iter()
            .map(|&w| {
                let w = if total != 0.0 { w / total } else { w };
                let scaled = w * f64::from(1u32 << PRECISION_BITS);
                if scaled < 0.0 {
                    (scaled - 0.5) as i32
                } else {
                    (scaled + 0.5) as i32
                }
            })
            .collect();
        first.push(start);
        weights.push(fixed);
    }
    Coefficients { first, weights }
}

fn clip8(accumulator: i64) -> u8 {
    (accumulator >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Resizes an interleaved RGB image (`width * height * 3` bytes).
pub fn resize_rgb(
    pixels: &[u8],
    width: usize,
    height: usize,
    out_w: usize,
    out_h: usize,
) -> Vec<u8> {
    let horizontal = coefficients(width, out_w);
    let vertical = coefficients(height, out_h);
    // Only the rows the vertical pass reads go through the horizontal pass.
    let row_first = vertical.first[0];
    let row_end = vertical.first[out_h - 1] + vertical.weights[out_h - 1].len();

    let rows = if out_w != width {
        let mut rows = vec![0u8; (row_end - row_first) * out_w * 3];
        for y in row_first..row_end {
            let source = &pixels[y * width * 3..(y + 1) * width * 3];
            let target = &mut rows[(y - row_first) * out_w * 3..(y - row_first + 1) * out_w * 3];
            for x in 0..out_w {
                let start = horizontal.first[x];
                for channel in 0..3 {
                    let sum = horizontal.weights[x].iter().enumerate().fold(
                        1i64 << (PRECISION_BITS - 1),
                        |sum, (i, &w)| {
                            sum + i64::from(source[(start + i) * 3 + channel]) * i64::from(w)
                        },
                    );
                    target[x * 3 + channel] = clip8(sum);
                }
            }
        }
        rows
    } else {
        pixels[row_first * width * 3..row_end * width * 3].to_vec()
    };

    if out_h == height {
        return rows;
    }
    let mut out = vec![0u8; out_w * out_h * 3];
    for y in 0..out_h {
        let start = vertical.first[y] - row_first;
        for x in 0..out_w * 3 {
            let sum = vertical.weights[y]
                .iter()
                .enumerate()
                .fold(1i64 << (PRECISION_BITS - 1), |sum, (i, &w)| {
                    sum + i64::from(rows[(start + i) * out_w * 3 + x]) * i64::from(w)
                });
            out[y * out_w * 3 + x] = clip8(sum);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_size_is_a_copy() {
        let pixels: Vec<u8> = (0..4 * 3 * 3).map(|v| v as u8).collect();
        assert_eq!(resize_rgb(&pixels, 4, 3, 4, 3), pixels);
    }

    #[test]
    fn flat_colour_stays_flat() {
        let pixels = [10u8, 200, 77].repeat(37 * 23);
        let out = resize_rgb(&pixels, 37, 23, 11, 7);
        assert!(out.chunks(3).all(|p| p == [10, 200, 77]));
    }

    #[test]
    fn weights_sum_to_one_in_fixed_point() {
        let c = coefficients(1000, 256);
        for w in &c.weights {
            let sum: i32 = w.iter().sum();
            assert!((sum - (1 << PRECISION_BITS)).abs() <= w.len() as i32);
        }
    }
}
