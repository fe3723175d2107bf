//! Screenshots as they may be kept: the type read from the bytes (never from the file name or the
//! client's `Content-Type`), everything but the picture removed, the picture decoded completely,
//! and, when it is larger than an operator needs, downscaled.
//!
//! A phone screenshot or photo carries more than pixels: EXIF (GPS position, device serial, time),
//! XMP (edit history), ICC profiles naming the device, embedded thumbnails that may show what was
//! cropped out, comments, and any bytes after the image's end. The cleaner first keeps a
//! **whitelist** of what a browser needs to draw the image (PNG chunks, JPEG segments, WebP
//! chunks) and drops the rest, so a metadata kind nobody thought of is dropped too. It also checks
//! the structure it walks (lengths, PNG CRCs, a first header with sane dimensions) and refuses what
//! does not hold. That walk is the metadata guarantee, and it leaves the customer's pixels
//! byte-for-byte as sent.
//!
//! The walk alone never looked at the pixels, and that was not enough: a 95 KB PNG of zeros that
//! claims 5,700 × 5,700 passed it, and every operator who opened it made their browser decode
//! 32 million pixels (an image bomb); a PNG whose image data is not zlib passed it too, a broken
//! image. So the walked bytes are then **decoded completely** with the `image` crate (PNG, JPEG
//! and WebP decoders only; it was left out at first for its compile time and because re-encoding
//! every screenshot loses quality): what does not decode is refused, never stored. The decoder is
//! held to the size the walk read from the header (`Limits`), so a header cannot promise a small
//! image and the data deliver a large one, and the pixel buffer is refused before it is allocated
//! when it would exceed [`MAX_PIXELS`] or the decoding budget.
//!
//! What decodes and is within what an operator needs ([`STORED_MAX_PIXELS`],
//! [`STORED_MAX_SHORT_SIDE`]) is stored as the walk left it: nothing is re-compressed. What is
//! larger is downscaled (area averaging, aspect ratio kept) and re-encoded: PNG as PNG, JPEG as
//! JPEG (quality [`JPEG_QUALITY`]), WebP as PNG (see [`clean`]); an encoder writes no metadata
//! it is not given, and the result goes through the walk again all the same. An animated WebP is
//! kept as its first frame, as PNG: it is the frame that was decoded, and an animated PNG is
//! already kept as its still image by the walk.
//!
//! One limit of "decodes completely" for JPEG: JPEG decoders (this one, and browsers') draw a
//! scan whose data ends early or holds an invalid code by filling the rest (grey) instead of
//! failing. The walk refuses a scan that does not end at a marker (a cut file), but a cut file
//! whose end marker was put back, or a scan of garbage, decodes everywhere as a partly grey
//! picture and is kept as such: bounded like any other, only incomplete.
//!
//! Decoding is CPU work (tens to hundreds of milliseconds for a phone photo), and so is the
//! downscale: [`clean`] is blocking and is called from async code through
//! `tokio::task::spawn_blocking`.

use std::io::Cursor;

use ::image::codecs::jpeg::JpegEncoder;
use ::image::codecs::png::{CompressionType, FilterType, PngEncoder};
use ::image::{
    DynamicImage, ExtendedColorType, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits,
};

use crate::error::{Error, Result};
use crate::model::wire_enum;

/// Largest picture decoded at all, in pixels: an 8K screen (a 4K screen twice over each way);
/// beyond it the decoding itself is the attack (a tiny PNG can claim 60 000 × 60 000). Between
/// the stored bounds below and this one an image is downscaled, not refused.
pub const MAX_PIXELS: u64 = 2 * 3840 * 2160 * 2;

/// Largest picture stored, in pixels: 12 megapixels, a phone photo, which browsers decode every
/// day (48 MB as RGBA). With [`STORED_MAX_SHORT_SIDE`] it only bites long images: a scrolling
/// phone screenshot 1170 px wide is kept whole up to ~10 250 px (four screens), and one of
/// 1170 × 20 000 is scaled by 0.72 (text 3× a phone's points stays large). A bound on the long
/// side (say 4096 px) would have halved a 1170 × 8000 screenshot's text for nothing.
pub const STORED_MAX_PIXELS: u64 = 12_000_000;

/// Largest short side stored, in pixels: a 4K screen's height. The short side is the one read
/// across (a screenshot's width, a photo's height); more of it than a 4K screen shows is detail
/// no operator sees, while the long side is scrolled. A 4K desktop screenshot (3840 × 2160) is
/// kept as is; a 5K one or a 12-megapixel photo (4032 × 3024) becomes 3840 × 2160 or 2880 × 2160.
pub const STORED_MAX_SHORT_SIDE: u32 = 2160;

/// Quality of a re-encoded (downscaled) JPEG: high enough that text keeps clean edges; about
/// 1 MB for a 6-megapixel photo.
pub const JPEG_QUALITY: u8 = 90;

/// What the decoder may allocate, output included: [`MAX_PIXELS`] as 8-bit RGBA and 32 MiB of
/// working memory (166 MB). A 16-bit PNG takes twice the bytes per pixel and so is refused from
/// about 20 megapixels on (with alpha), before its buffer is allocated. Not counted by the `image`
/// crate, and so bounded by the pixel count only: the JPEG decoder's coefficients for a
/// progressive JPEG (up to 6 bytes a pixel) and the lossless WebP decoder's RGBA frame for an
/// image without alpha (4 bytes a pixel), up to about 300 MB in all at [`MAX_PIXELS`].
const DECODE_BUDGET: u64 = MAX_PIXELS * 4 + 32 * 1024 * 1024;

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

    fn format(self) -> ImageFormat {
        match self {
            ImageType::Png => ImageFormat::Png,
            ImageType::Jpeg => ImageFormat::Jpeg,
            ImageType::Webp => ImageFormat::WebP,
        }
    }
}

/// A cleaned image, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// What the stored bytes are (a downscaled WebP is a PNG).
    pub kind: ImageType,
    /// Width in pixels of the stored image.
    pub width: u32,
    /// Height in pixels of the stored image.
    pub height: u32,
    /// The image without metadata.
    pub bytes: Vec<u8>,
}

/// What the container walk keeps.
struct Walked {
    width: u32,
    height: u32,
    bytes: Vec<u8>,
    /// An animated WebP (only its first frame is decoded).
    animated: bool,
}

/// The image in `bytes` with only what drawing it needs, decoded completely and no larger than
/// [`STORED_MAX_PIXELS`] and [`STORED_MAX_SHORT_SIDE`]; an error naming what is wrong when the
/// bytes are not a PNG, JPEG or WebP image that holds together and decodes, or that is larger
/// than [`MAX_PIXELS`].
///
/// An image within the stored bounds comes back as the whitelist walk left it (the customer's
/// compressed pixels untouched). A larger one, or an animated WebP, is decoded, downscaled and
/// re-encoded: PNG as PNG, JPEG as JPEG, WebP as **PNG**. The `image` crate writes only
/// lossless WebP, so a lossy WebP could not stay lossy either way; PNG compresses such an image
/// about as well (within a few per cent on photos and screenshots) at the same speed, and is the
/// format every browser's decoder has had longest. [`Cleaned::kind`] says what was stored.
///
/// **Blocking**: CPU work of up to a few tenths of a second on one core (0.4 s for a 5 MB
/// 12-megapixel JPEG: a tenth to decode, the rest to downscale and re-encode; 0.2 s for the
/// 5,700² PNG; milliseconds for a phone screenshot kept as it is), about 14 times that on a
/// 128 MB Lambda function's share of a CPU. Call it from async code through
/// `tokio::task::spawn_blocking`. Memory: the decoded image and the downscaled copy, 67 MB at
/// peak for that JPEG, 112 MB for that PNG, 165 MB for an 8K RGBA PNG, up to about 300 MB for an
/// 8K progressive JPEG (see `DECODE_BUDGET`).
pub fn clean(bytes: &[u8]) -> Result<Cleaned> {
    let kind = ImageType::sniff(bytes).ok_or_else(|| {
        Error::Invalid("the file is not a PNG, JPEG or WebP image (by its bytes)".into())
    })?;
    let walked = walk(kind, bytes)?;
    let (width, height) = (walked.width, walked.height);
    let decoded = decode(kind, &walked.bytes, width, height)?;
    let (stored_width, stored_height) = stored_size(width, height);
    if (stored_width, stored_height) == (width, height) && !walked.animated {
        return Ok(Cleaned {
            kind,
            width,
            height,
            bytes: walked.bytes,
        });
    }
    let stored_kind = match kind {
        ImageType::Jpeg => ImageType::Jpeg,
        ImageType::Png | ImageType::Webp => ImageType::Png,
    };
    let encoded = downscale_and_encode(decoded, stored_kind, stored_width, stored_height)?;
    // Nothing but pixels was given to the encoder; the walk checks it all the same (and drops
    // the JPEG encoder's JFIF header, so cleaning what was cleaned gives the same bytes).
    let walked = walk(stored_kind, &encoded)?;
    Ok(Cleaned {
        kind: stored_kind,
        width: walked.width,
        height: walked.height,
        bytes: walked.bytes,
    })
}

/// The whitelist walk of `bytes` (a `kind` by its signature), with the header's size checked
/// against [`MAX_PIXELS`].
fn walk(kind: ImageType, bytes: &[u8]) -> Result<Walked> {
    let walked = match kind {
        ImageType::Png => png(bytes)?,
        ImageType::Jpeg => jpeg(bytes)?,
        ImageType::Webp => webp(bytes)?,
    };
    let (width, height) = (walked.width, walked.height);
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::Invalid(format!(
            "the image is {width} × {height} pixels; at most {MAX_PIXELS} pixels are accepted"
        )));
    }
    Ok(walked)
}

/// The pixels of the walked bytes, all of them, or why not. The decoder may not exceed the size
/// the walk read from the header (checked before the pixel buffer is allocated), nor
/// [`DECODE_BUDGET`], and must deliver exactly that size.
fn decode(kind: ImageType, bytes: &[u8], width: u32, height: u32) -> Result<DynamicImage> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(DECODE_BUDGET);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        ImageError::Limits(e) => Error::Invalid(format!(
            "the image does not decode within the limits for {width} × {height} pixels: {e}"
        )),
        e => Error::Invalid(format!("the image does not decode: {e}")),
    })?;
    if (image.width(), image.height()) != (width, height) {
        return Err(Error::Invalid(format!(
            "the image does not decode: its header says {width} × {height} pixels, its data {} × {}",
            image.width(),
            image.height()
        )));
    }
    Ok(image)
}

/// The size an image of `width` × `height` is stored at: itself when within
/// [`STORED_MAX_PIXELS`] and [`STORED_MAX_SHORT_SIDE`], else scaled down by one factor (to the
/// pixel, at least 1 × 1) until it is.
pub fn stored_size(width: u32, height: u32) -> (u32, u32) {
    let pixels = u64::from(width) * u64::from(height);
    let (short, long) = (width.min(height), width.max(height));
    if pixels <= STORED_MAX_PIXELS && short <= STORED_MAX_SHORT_SIDE {
        return (width, height);
    }
    let side = u64::from(STORED_MAX_SHORT_SIDE);
    // The short side binds when (side / short)² ≤ STORED_MAX_PIXELS / pixels: then it is exactly
    // STORED_MAX_SHORT_SIDE, the long side in proportion (integers, no rounding to trip on).
    let (w, h) = if u128::from(side * side) * u128::from(pixels)
        <= u128::from(STORED_MAX_PIXELS) * u128::from(short) * u128::from(short)
    {
        let scaled = (u64::from(long) * side / u64::from(short)).max(1) as u32;
        if width <= height {
            (STORED_MAX_SHORT_SIDE, scaled)
        } else {
            (scaled, STORED_MAX_SHORT_SIDE)
        }
    } else {
        let scale = (STORED_MAX_PIXELS as f64 / pixels as f64).sqrt();
        let fit = |side: u32| ((f64::from(side) * scale).floor() as u32).clamp(1, side);
        (fit(width), fit(height))
    };
    // Rounding, or a side clamped to 1 pixel, may leave it a pixel over: trim the long side.
    let over = u64::from(w) * u64::from(h) > STORED_MAX_PIXELS;
    match (over, w >= h) {
        (false, _) => (w, h),
        (true, true) => ((STORED_MAX_PIXELS / u64::from(h)).max(1) as u32, h),
        (true, false) => (w, (STORED_MAX_PIXELS / u64::from(w)).max(1) as u32),
    }
}

/// `image` at `width` × `height` (smaller than it), encoded as `kind` (PNG or JPEG).
fn downscale_and_encode(
    image: DynamicImage,
    kind: ImageType,
    width: u32,
    height: u32,
) -> Result<Vec<u8>> {
    let (source_width, source_height) = (image.width(), image.height());
    // 8-bit samples in the layouts both encoders take (JPEG has no alpha; a 16-bit PNG is
    // converted, which only ever happens for an image that is being reduced anyway).
    let gray = !image.color().has_color();
    let alpha = image.color().has_alpha() && kind == ImageType::Png;
    let (layout, pixels) = match (gray, alpha) {
        (true, false) => (ExtendedColorType::L8, image.into_luma8().into_raw()),
        (true, true) => (ExtendedColorType::La8, image.into_luma_alpha8().into_raw()),
        (false, false) => (ExtendedColorType::Rgb8, image.into_rgb8().into_raw()),
        (false, true) => (ExtendedColorType::Rgba8, image.into_rgba8().into_raw()),
    };
    let small = shrink(
        &pixels,
        (source_width, source_height),
        layout,
        (width, height),
    );
    drop(pixels);
    let mut out = Vec::new();
    let encoded = match kind {
        ImageType::Jpeg => JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .write_image(&small, width, height, layout),
        // Fast deflate: the default level takes ~25 times as long (1.8 s for 6 megapixels) for
        // files ~10% smaller.
        _ => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&small, width, height, layout),
    };
    encoded.map_err(|e| Error::Invalid(format!("the downscaled image does not encode: {e}")))?;
    Ok(out)
}

/// `pixels` (`size`, 8-bit samples, the layout `layout`) reduced to `to` (no larger either way)
/// by area averaging: each output pixel is the mean of the source area it covers, source pixels
/// cut by its edges counted by the fraction inside, which is the filter that keeps text legible
/// at any ratio (no ringing, no dropped rows). Colours are weighted by alpha, so transparent
/// pixels do not darken edges. Exact integer arithmetic, one source row at a time: the memory is
/// the output and a few rows of sums (the `image` crate's filtered `resize` keeps a
/// 16-byte-a-pixel intermediate of width × new height, 200 MB for a 5,700² image, and its
/// `thumbnail` rounds each footprint to whole pixels, one or two of them at ratios under 2:
/// uneven strokes in text).
fn shrink(pixels: &[u8], size: (u32, u32), layout: ExtendedColorType, to: (u32, u32)) -> Vec<u8> {
    match layout {
        ExtendedColorType::L8 => shrink_as::<1, false>(pixels, size, to),
        ExtendedColorType::La8 => shrink_as::<2, true>(pixels, size, to),
        ExtendedColorType::Rgba8 => shrink_as::<4, true>(pixels, size, to),
        _ => shrink_as::<3, false>(pixels, size, to),
    }
}

/// The source pixels one output column (or row) covers: `start..end`, the first and the last
/// counted by their part inside (`first`, `last`), those between whole (`whole`). Lengths are
/// in units of 1/(output size) of a source pixel, so every part is an integer and the parts of
/// one output pixel add up to the source size.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    first: u64,
    last: u64,
    whole: u64,
}

impl Span {
    /// The spans of `to` output pixels over `from` source pixels (`to` ≤ `from`): output pixel
    /// x covers [x·from, (x+1)·from), source pixel i covers [i·to, (i+1)·to).
    fn all(from: u32, to: u32) -> Vec<Span> {
        let (from, to) = (u64::from(from), u64::from(to));
        (0..to)
            .map(|x| {
                let (a, b) = (x * from, (x + 1) * from);
                let (start, end) = (a / to, b.div_ceil(to));
                Span {
                    start: start as usize,
                    end: end as usize,
                    first: ((start + 1) * to).min(b) - a,
                    last: b - ((end - 1) * to).max(a),
                    whole: to,
                }
            })
            .collect()
    }

    /// Each source index of the span with its weight.
    fn weights(self) -> impl Iterator<Item = (usize, u64)> {
        (self.start..self.end).map(move |i| {
            let weight = if i == self.start {
                self.first
            } else if i + 1 == self.end {
                self.last
            } else {
                self.whole
            };
            (i, weight)
        })
    }
}

/// [`shrink`] for `C` samples a pixel, the last one alpha when `ALPHA`.
fn shrink_as<const C: usize, const ALPHA: bool>(
    pixels: &[u8],
    (width, height): (u32, u32),
    (to_width, to_height): (u32, u32),
) -> Vec<u8> {
    let columns = Span::all(width, to_width);
    let source_row = width as usize * C;
    // The horizontal sums of a source row: colour samples times alpha when there is one.
    let add = |sum: &mut [u64; C], pixel: &[u8], weight: u64| {
        if ALPHA {
            let alpha = u64::from(pixel[C - 1]) * weight;
            for k in 0..C - 1 {
                sum[k] += u64::from(pixel[k]) * alpha;
            }
            sum[C - 1] += alpha;
        } else {
            for k in 0..C {
                sum[k] += u64::from(pixel[k]) * weight;
            }
        }
    };
    let horizontal = |row: &[u8], sums: &mut Vec<[u64; C]>| {
        sums.clear();
        sums.extend(columns.iter().map(|span| {
            let mut sum = [0u64; C];
            let (first, rest) = row[span.start * C..span.end * C].split_at(C);
            add(&mut sum, first, span.first);
            if let Some((between, last)) = rest.split_last_chunk::<C>() {
                for pixel in between.chunks_exact(C) {
                    add(&mut sum, pixel, span.whole);
                }
                add(&mut sum, last, span.last);
            }
            sum
        }));
    };
    // Every output pixel's weights add up to width × height (≤ MAX_PIXELS): with 8-bit samples
    // times 8-bit alpha, a sum stays under 2^16 · 2^25, far from overflowing.
    let total = u64::from(width) * u64::from(height);
    let mut out = Vec::with_capacity(to_width as usize * to_height as usize * C);
    let mut sums = vec![[0u64; C]; to_width as usize];
    // A source row on an output row's edge is shared with the next: summed once.
    let mut row = Vec::with_capacity(to_width as usize);
    let mut row_index = usize::MAX;
    for span in Span::all(height, to_height) {
        sums.fill([0; C]);
        for (j, weight) in span.weights() {
            if j != row_index {
                horizontal(&pixels[j * source_row..(j + 1) * source_row], &mut row);
                row_index = j;
            }
            for (sum, value) in sums.iter_mut().zip(&row) {
                for k in 0..C {
                    sum[k] += value[k] * weight;
                }
            }
        }
        for sum in &sums {
            if ALPHA {
                let alpha = sum[C - 1];
                for &colour in &sum[..C - 1] {
                    out.push((colour + alpha / 2).checked_div(alpha).unwrap_or(0) as u8);
                }
                out.push(((alpha + total / 2) / total) as u8);
            } else {
                out.extend(sum.iter().map(|&s| ((s + total / 2) / total) as u8));
            }
        }
    }
    out
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

fn png(bytes: &[u8]) -> Result<Walked> {
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
            return Ok(Walked {
                width,
                height,
                bytes: out,
                animated: false,
            });
        }
    }
}

fn jpeg(bytes: &[u8]) -> Result<Walked> {
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
                return Ok(Walked {
                    width,
                    height,
                    bytes: out,
                    animated: false,
                });
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

fn webp(bytes: &[u8]) -> Result<Walked> {
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
    let mut animated = false;
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
                animated |= &kind == b"ANMF";
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
    Ok(Walked {
        width,
        height,
        bytes: out,
        animated,
    })
}
