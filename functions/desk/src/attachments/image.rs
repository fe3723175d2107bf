//! Screenshots as they may be kept: the type read from the bytes (never from the file name or the
//! client's `Content-Type`), and everything but the picture removed.
//!
//! A phone screenshot or photo carries more than pixels: EXIF (GPS position, device serial, time),
//! XMP (edit history), ICC profiles naming the device, embedded thumbnails that may show what was
//! cropped out, comments, and any bytes after the image's end. The cleaner keeps a **whitelist**
//! of what a browser needs to draw the image (PNG chunks, JPEG segments, WebP chunks) and drops
//! the rest, so a metadata kind nobody thought of is dropped too. It also checks the structure it
//! walks (lengths, PNG CRCs, a first header with sane dimensions) and refuses what does not hold.
//!
//! Written here rather than with the `image` crate: decoding and re-encoding would also strip
//! everything, but costs a decoder per format, re-compresses every screenshot (JPEG loses quality,
//! WebP encoding is lossless-only there) and multiplies compile time; walking the containers is a
//! few hundred lines and leaves the pixels as the customer sent them.

use crate::error::{Error, Result};
use crate::model::wire_enum;

/// Largest picture accepted, in pixels: a 4K screen twice over; beyond it a viewer's memory is
/// the attack (a tiny PNG can claim 60 000 × 60 000).
pub const MAX_PIXELS: u64 = 2 * 3840 * 2160 * 2;

wire_enum! {
    /// An image type Baton keeps, by its media type.
    pub enum ImageType {
        /// PNG.
        Png = "image/png",
        /// JPEG.
        Jpeg = "image/jpeg",
        /// WebP.
        Webp = "image/webp",
    }
}

impl ImageType {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Png => "png",
            ImageType::Jpeg => "jpg",
            ImageType::Webp => "webp",
        }
    }

    /// The type the bytes are, by their signature.
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(PNG_SIGNATURE) {
            Some(ImageType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else {
            None
        }
    }
}

/// A cleaned image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// What it is.
    pub kind: ImageType,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The image without metadata.
    pub bytes: Vec<u8>,
}

/// The image in `bytes` with only what drawing it needs; an error naming what is wrong when the
/// bytes are not a PNG, JPEG or WebP image that holds together.
pub fn clean(bytes: &[u8]) -> Result<Cleaned> {
    let kind = ImageType::sniff(bytes).ok_or_else(|| {
        Error::Invalid("the file is not a PNG, JPEG or WebP image (by its bytes)".into())
    })?;
    let (width, height, bytes) = match kind {
        ImageType::Png => png(bytes)?,
        ImageType::Jpeg => jpeg(bytes)?,
        ImageType::Webp => webp(bytes)?,
    };
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::Invalid(format!(
            "the image is {width} × {height} pixels; at most {MAX_PIXELS} pixels are accepted"
        )));
    }
    Ok(Cleaned {
        kind,
        width,
        height,
        bytes,
    })
}

fn malformed(kind: &str, what: &str) -> Error {
    Error::Invalid(format!("the {kind} image is malformed: {what}"))
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// PNG chunks a browser needs: the header, palette, image data and end, transparency, and the
/// colour-space chunks that change how pixels look (not the ICC profile, which names devices).
const PNG_KEEP: [&[u8; 4]; 10] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD",
];

fn png(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let bad = |what: &str| malformed("PNG", what);
    let mut out = PNG_SIGNATURE.to_vec();
    let mut at = PNG_SIGNATURE.len();
    let (mut width, mut height) = (0, 0);
    let mut first = true;
    loop {
        let header = bytes
            .get(at..at + 8)
            .ok_or_else(|| bad("it ends inside a chunk"))?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        let end = at
            .checked_add(12)
            .and_then(|n| n.checked_add(length))
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| bad("a chunk is longer than the file"))?;
        let body = &bytes[at + 8..end - 4];
        let crc = u32::from_be_bytes([
            bytes[end - 4],
            bytes[end - 3],
            bytes[end - 2],
            bytes[end - 1],
        ]);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&kind);
        hasher.update(body);
        if hasher.finalize() != crc {
            return Err(bad("a chunk's checksum is wrong"));
        }
        if first {
            if &kind != b"IHDR" || length != 13 {
                return Err(bad("it does not start with its header"));
            }
            width = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
            height = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
            first = false;
        }
        if PNG_KEEP.contains(&&kind) {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
        if &kind == b"IEND" {
            // Whatever follows the end is not part of the image.
            return Ok((width, height, out));
        }
    }
}

fn jpeg(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let bad = |what: &str| malformed("JPEG", what);
    let mut out = vec![0xFF, 0xD8];
    let mut at = 2;
    let (mut width, mut height) = (0, 0);
    loop {
        // Markers may be padded with any number of 0xFF.
        if bytes.get(at) != Some(&0xFF) {
            return Err(bad("a segment does not start with a marker"));
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *bytes
            .get(at)
            .ok_or_else(|| bad("it ends inside a marker"))?;
        at += 1;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                if width == 0 {
                    return Err(bad("it has no frame header"));
                }
                return Ok((width, height, out));
            }
            0x01 | 0xD0..=0xD7 => {
                // Markers without a length (TEM, restarts outside a scan): nothing to keep.
                continue;
            }
            0x00 | 0xD8 => return Err(bad("an unexpected marker")),
            _ => {}
        }
        let length = bytes
            .get(at..at + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
            .filter(|&l| l >= 2)
            .ok_or_else(|| bad("a segment has no length"))?;
        let end = (at + length <= bytes.len())
            .then_some(at + length)
            .ok_or_else(|| bad("a segment is longer than the file"))?;
        let segment = &bytes[at..end];
        let frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if frame {
            if segment.len() < 8 {
                return Err(bad("a frame header is too short"));
            }
            height = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
            width = u32::from(u16::from_be_bytes([segment[5], segment[6]]));
        }
        // Frames, tables, restart interval, the Adobe segment (it says how colours are stored)
        // and scans; never APP0–APP13/APP15 (JFIF thumbnails, EXIF, XMP, ICC) or comments.
        let keep = frame || matches!(marker, 0xC4 | 0xCC | 0xDB | 0xDD | 0xDA | 0xEE);
        if keep {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
        at = end;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed byte or a restart.
            let start = at;
            loop {
                let next = bytes[at..]
                    .iter()
                    .position(|&b| b == 0xFF)
                    .map(|p| at + p)
                    .ok_or_else(|| bad("a scan does not end"))?;
                match bytes.get(next + 1) {
                    Some(0x00 | 0xD0..=0xD7) => at = next + 2,
                    Some(0xFF) => at = next + 1,
                    Some(_) => {
                        at = next;
                        break;
                    }
                    None => return Err(bad("a scan does not end")),
                }
            }
            out.extend_from_slice(&bytes[start..at]);
        }
    }
}

/// VP8X flags for an ICC profile, EXIF and XMP: cleared with their chunks.
const VP8X_METADATA_FLAGS: u8 = 0x20 | 0x08 | 0x04;

fn webp(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let bad = |what: &str| malformed("WebP", what);
    let riff = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    let total = riff
        .checked_add(8)
        .filter(|&t| t <= bytes.len() && riff >= 4)
        .ok_or_else(|| bad("its size is longer than the file"))?;
    let mut out = b"RIFF\0\0\0\0WEBP".to_vec();
    let mut at = 12;
    let (mut width, mut height) = (0, 0);
    let mut image = false;
    while at < total {
        let header = bytes
            .get(at..at + 8)
            .filter(|_| at + 8 <= total)
            .ok_or_else(|| bad("it ends inside a chunk"))?;
        let kind: [u8; 4] = [header[0], header[1], header[2], header[3]];
        let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        // Chunks are padded to an even length.
        let end = (at + 8)
            .checked_add(length + (length & 1))
            .filter(|&end| end <= total)
            .ok_or_else(|| bad("a chunk is longer than the file"))?;
        let body = &bytes[at + 8..at + 8 + length];
        match &kind {
            b"VP8X" => {
                if body.len() < 10 {
                    return Err(bad("its extended header is too short"));
                }
                width = 1 + u32::from_le_bytes([body[4], body[5], body[6], 0]);
                height = 1 + u32::from_le_bytes([body[7], body[8], body[9], 0]);
                out.extend_from_slice(&bytes[at..end]);
                let flags = out.len() - (end - at) + 8;
                out[flags] &= !VP8X_METADATA_FLAGS;
            }
            b"VP8 " => {
                if body.len() < 10 || body[3..6] != [0x9D, 0x01, 0x2A] {
                    return Err(bad("its lossy frame header is wrong"));
                }
                if width == 0 {
                    width = u32::from(u16::from_le_bytes([body[6], body[7]]) & 0x3FFF);
                    height = u32::from(u16::from_le_bytes([body[8], body[9]]) & 0x3FFF);
                }
                image = true;
                out.extend_from_slice(&bytes[at..end]);
            }
            b"VP8L" => {
                if body.len() < 5 || body[0] != 0x2F {
                    return Err(bad("its lossless header is wrong"));
                }
                if width == 0 {
                    let bits = u32::from_le_bytes([body[1], body[2], body[3], body[4]]);
                    width = (bits & 0x3FFF) + 1;
                    height = ((bits >> 14) & 0x3FFF) + 1;
                }
                image = true;
                out.extend_from_slice(&bytes[at..end]);
            }
            b"ALPH" | b"ANIM" | b"ANMF" => {
                image |= &kind == b"ANMF";
                out.extend_from_slice(&bytes[at..end]);
            }
            // ICCP, EXIF, "XMP " and anything unknown.
            _ => {}
        }
        at = end;
    }
    if !image {
        return Err(bad("it holds no image"));
    }
    let size = u32::try_from(out.len() - 8).map_err(|_| bad("it is too large"))?;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Ok((width, height, out))
}
