//! Identifying an image from its own bytes: the real format and pixel dimensions, whatever the
//! client declared.

use std::io::{BufRead, Seek};

use crate::error::{DomainError, Result};
use crate::image::ImageFormat;

/// What a file really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// Format read from the magic bytes.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

fn unsupported() -> DomainError {
    let accepted: Vec<&str> = ImageFormat::ALL.iter().map(|f| f.mime()).collect();
    DomainError::UnsupportedMediaType(format!(
        "the file is not an accepted image (accepted: {})",
        accepted.join(", ")
    ))
}

/// Reads the format and dimensions from the start of a file (only the header is read).
pub fn inspect_image<R: BufRead + Seek>(mut reader: R) -> Result<ImageInfo> {
    let kind = imagesize::reader_type(&mut reader).map_err(|_| unsupported())?;
    let format = match kind {
        imagesize::ImageType::Jpeg => ImageFormat::Jpeg,
        imagesize::ImageType::Png => ImageFormat::Png,
        imagesize::ImageType::Webp => ImageFormat::Webp,
        imagesize::ImageType::Gif => ImageFormat::Gif,
        _ => return Err(unsupported()),
    };
    reader.rewind().map_err(|_| unsupported())?;
    let size = imagesize::reader_size(&mut reader).map_err(|_| {
        DomainError::UnsupportedMediaType(format!(
            "the {} file is truncated or corrupt: its dimensions cannot be read",
            format.mime()
        ))
    })?;
    let dimension = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(ImageInfo {
        format,
        width: dimension(size.width),
        height: dimension(size.height),
    })
}

/// Checks a declared Content-Type against what the file really is. `None` and
/// `application/octet-stream` mean "not declared".
pub fn check_declared_type(declared: Option<&str>, actual: ImageFormat) -> Result<()> {
    let Some(declared) = declared else {
        return Ok(());
    };
    let essence = declared.split(';').next().unwrap_or_default().trim();
    if essence.is_empty() || essence.eq_ignore_ascii_case("application/octet-stream") {
        return Ok(());
    }
    match ImageFormat::from_mime(essence) {
        Some(format) if format == actual => Ok(()),
        _ => Err(DomainError::UnsupportedMediaType(format!(
            "the file was declared as {essence} but is {}",
            actual.mime()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// A 3×2 PNG header (signature and IHDR chunk).
    fn png_3x2() -> Vec<u8> {
        let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        bytes.extend_from_slice(&[0, 0, 0, 13]);
        bytes.extend_from_slice(b"IHDR");
        bytes.extend_from_slice(&3u32.to_be_bytes());
        bytes.extend_from_slice(&2u32.to_be_bytes());
        bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    #[test]
    fn a_png_is_recognised_with_its_dimensions() {
        let info = inspect_image(Cursor::new(png_3x2()));
        assert_eq!(
            info.ok(),
            Some(ImageInfo {
                format: ImageFormat::Png,
                width: 3,
                height: 2
            })
        );
    }

    #[test]
    fn a_gif_header_is_recognised() {
        let gif = b"GIF89a\x05\x00\x07\x00\x00\x00\x00".to_vec();
        let info = inspect_image(Cursor::new(gif)).ok();
        assert_eq!(
            info.map(|i| (i.format, i.width, i.height)),
            Some((ImageFormat::Gif, 5, 7))
        );
    }

    #[test]
    fn text_is_not_an_image() {
        let err = inspect_image(Cursor::new(b"hello, I am a text file".to_vec()));
        assert!(matches!(err, Err(DomainError::UnsupportedMediaType(_))));
    }

    #[test]
    fn a_declared_type_must_match_the_bytes() {
        assert!(check_declared_type(Some("image/png"), ImageFormat::Png).is_ok());
        assert!(check_declared_type(Some("IMAGE/PNG; charset=x"), ImageFormat::Png).is_ok());
        assert!(check_declared_type(None, ImageFormat::Png).is_ok());
        assert!(check_declared_type(Some("application/octet-stream"), ImageFormat::Jpeg).is_ok());
        assert!(matches!(
            check_declared_type(Some("image/jpeg"), ImageFormat::Png),
            Err(DomainError::UnsupportedMediaType(_))
        ));
        assert!(check_declared_type(Some("text/plain"), ImageFormat::Png).is_err());
    }
}
