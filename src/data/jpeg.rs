//! JPEG decoding with libjpeg-turbo's algorithms (via mozjpeg), bit-exact with Pillow.
//! Native only; the browser build uses the `image` crate's decoder.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use image::RgbImage;
use mozjpeg::{ColorSpace, Decompress};
use mozjpeg_sys::{
    J_MESSAGE_CODE, JWRN_JPEG_EOF, jpeg_common_struct, jpeg_error_mgr, jpeg_std_error,
};

use super::image::{ImageError, MAX_SIDE};

/// libjpeg reports fatal errors through this callback; unwinding out of it is how the
/// mozjpeg crate turns them into Rust errors.
extern "C-unwind" fn fail(cinfo: &mut jpeg_common_struct) {
    // SAFETY: libjpeg sets `err` before any callback runs.
    let code = unsafe { (*cinfo.err).msg_code };
    resume_unwind(Box::new(format!("libjpeg error {code}")));
}

/// libjpeg only warns when the data ends early and pads the image with grey; Pillow refuses
/// such files, and so do we.
extern "C-unwind" fn warn(cinfo: &mut jpeg_common_struct, level: std::os::raw::c_int) {
    // SAFETY: as above.
    let code: J_MESSAGE_CODE = unsafe { (*cinfo.err).msg_code };
    if level < 0 && code == JWRN_JPEG_EOF {
        resume_unwind(Box::new("the JPEG data ends early".to_string()));
    }
}

fn error_manager() -> jpeg_error_mgr {
    // SAFETY: jpeg_std_error fills every field of a zeroed manager.
    let mut manager: jpeg_error_mgr = unsafe { std::mem::zeroed() };
    unsafe { jpeg_std_error(&mut manager) };
    manager.error_exit = Some(fail);
    manager.emit_message = Some(warn);
    manager
}

/// `Ok(None)` for colour spaces libjpeg cannot turn into RGB (CMYK, YCCK): the caller falls
/// back to another decoder.
pub fn decode(bytes: &[u8]) -> Result<Option<RgbImage>, ImageError> {
    let result = catch_unwind(AssertUnwindSafe(
        || -> Result<Option<RgbImage>, ImageError> {
            let corrupt = |e: std::io::Error| ImageError::Corrupt(e.to_string());
            let decompress = Decompress::with_err(error_manager())
                .from_mem(bytes)
                .map_err(corrupt)?;
            let (width, height) = decompress.size();
            let (width, height) = (width as u32, height as u32);
            if width > MAX_SIDE || height > MAX_SIDE {
                return Err(ImageError::TooLarge { width, height });
            }
            if !matches!(
                decompress.color_space(),
                ColorSpace::JCS_YCbCr | ColorSpace::JCS_RGB | ColorSpace::JCS_GRAYSCALE
            ) {
                return Ok(None);
            }
            let mut started = decompress.rgb().map_err(corrupt)?;
            let pixels = started.read_scanlines::<u8>().map_err(corrupt)?;
            started.finish().map_err(corrupt)?;
            Ok(RgbImage::from_raw(width, height, pixels))
        },
    ));
    match result {
        Ok(decoded) => decoded,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "unreadable JPEG".into());
            Err(ImageError::Corrupt(message))
        }
    }
}
