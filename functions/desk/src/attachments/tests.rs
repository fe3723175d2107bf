//! The cleaner as an attacker meets it: real images (encoded here with the `image` crate) with
//! metadata come out without it and, when within the stored bounds, with their compressed pixels
//! untouched; what does not decode is refused; what is too large is stored downscaled; arbitrary
//! bytes never panic; cleaning is idempotent.

use ::image::codecs::jpeg::JpegEncoder;
use ::image::codecs::png::{CompressionType, FilterType, PngEncoder};
use ::image::codecs::webp::WebPEncoder;
use ::image::{DynamicImage, ExtendedColorType, ImageEncoder, ImageFormat};
use proptest::prelude::*;

use super::image::{
    Cleaned, ImageType, MAX_PIXELS, STORED_MAX_PIXELS, STORED_MAX_SHORT_SIDE, clean, stored_size,
};
use super::{Attachment, Blobs, DirBlobs};

// ---- Images, as encoders write them --------------------------------------------------------

/// A pseudo-random byte stream (no `rand` needed; the same every run).
fn noise(seed: u32) -> impl Iterator<Item = u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    std::iter::repeat_with(move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state >> 24) as u8
    })
}

/// RGB pixels that look like a phone screen: a coloured bar at the top, then white with lines
/// of dark "text" (rows copied from a few templates, which keeps this quick in a debug build).
fn screen(width: u32, height: u32) -> Vec<u8> {
    let width = width as usize;
    let white = [0xFF; 3].repeat(width);
    let bar = [0x1E, 0x6F, 0xD9].repeat(width);
    let inked: Vec<Vec<u8>> = (0..8)
        .map(|seed| {
            let mut row = white.clone();
            for (x, ink) in noise(seed).take(width).enumerate() {
                if ink < 90 && x > 40 && x + 40 < width {
                    row[x * 3..x * 3 + 3].copy_from_slice(&[0x20, 0x20, 0x28]);
                }
            }
            row
        })
        .collect();
    let mut pixels = Vec::with_capacity(width * height as usize * 3);
    for y in 0..height as usize {
        let row = match (y < 120, y % 48 < 20) {
            (true, _) => &bar,
            (false, true) => &inked[(y / 48 + y) % inked.len()],
            (false, false) => &white,
        };
        pixels.extend_from_slice(row);
    }
    pixels
}

/// RGB pixels like a photo: a noisy image a sixteenth of the size, upscaled (by the `image`
/// crate, optimized even in a debug build) into smooth blotches.
fn photo(width: u32, height: u32) -> Vec<u8> {
    let (small_width, small_height) = (width.div_ceil(4), height.div_ceil(4));
    let small: Vec<u8> = noise(width ^ height)
        .take((small_width * small_height * 3) as usize)
        .collect();
    let small = ::image::RgbImage::from_raw(small_width, small_height, small).expect("size");
    ::image::imageops::resize(
        &small,
        width,
        height,
        ::image::imageops::FilterType::Triangle,
    )
    .into_raw()
}

fn encode_png(width: u32, height: u32, layout: ExtendedColorType, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(pixels, width, height, layout)
        .expect("png");
    out
}

fn encode_jpeg(width: u32, height: u32, rgb: &[u8], quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .expect("jpeg");
    out
}

fn encode_webp(width: u32, height: u32, layout: ExtendedColorType, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(pixels, width, height, layout)
        .expect("webp");
    out
}

/// The image the bytes decode to, all of it (panics when they do not).
fn decode(bytes: &[u8], kind: ImageType) -> DynamicImage {
    let format = match kind {
        ImageType::Png => ImageFormat::Png,
        ImageType::Jpeg => ImageFormat::Jpeg,
        ImageType::Webp => ImageFormat::WebP,
    };
    ::image::load_from_memory_with_format(bytes, format).expect("the stored image decodes")
}

// ---- Metadata, as phones add it ---------------------------------------------------------------

fn png_chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(kind);
    hasher.update(body);
    out.extend_from_slice(&hasher.finalize().to_be_bytes());
    out
}

fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut body = width.to_be_bytes().to_vec();
    body.extend_from_slice(&height.to_be_bytes());
    body.extend_from_slice(&[8, 6, 0, 0, 0]);
    png_chunk(b"IHDR", &body)
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A PNG as a phone writes one: the encoder's chunks with an ICC profile, EXIF with a position
/// and text after the header, and bytes hidden after the end.
fn with_png_metadata(png: &[u8]) -> Vec<u8> {
    // Signature (8) and IHDR (25).
    let mut out = png[..33].to_vec();
    out.extend(png_chunk(b"iCCP", b"Galaxy S24 Ultra profile\0\0xyz"));
    out.extend(png_chunk(b"eXIf", b"GPS 37.5665 N 126.9780 E"));
    out.extend(png_chunk(b"tEXt", b"Author\0Kim Minji 010-1234-5678"));
    out.extend_from_slice(&png[33..]);
    out.extend_from_slice(b"secret trailing bytes");
    out
}

fn jpeg_segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The JPEG the encoder wrote without its JFIF header (APP0), which the walk drops.
fn without_app0(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(jpeg[2..4], [0xFF, 0xE0], "the encoder writes JFIF first");
    let length = usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&jpeg[4 + length..]);
    out
}

/// A JPEG as a phone writes one: a thumbnail, EXIF, an ICC profile and a comment before the
/// image, and a file appended after its end.
fn with_jpeg_metadata(jpeg: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend(jpeg_segment(0xE0, b"JFIF\0\x01\x02thumbnail-of-uncropped"));
    out.extend(jpeg_segment(
        0xE1,
        b"Exif\0\0GPS 37.5665 126.9780 serial 42",
    ));
    out.extend(jpeg_segment(0xE2, b"ICC_PROFILE\0device"));
    out.extend(jpeg_segment(0xFE, b"comment: Kim Minji"));
    out.extend_from_slice(&without_app0(jpeg)[2..]);
    out.extend_from_slice(b"appended zip");
    out
}

fn riff_chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = kind.to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
    out
}

fn riff(chunks: &[u8]) -> Vec<u8> {
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(chunks.len() as u32 + 4).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(chunks);
    out
}

/// The VP8L chunk (header and body) of a simple lossless WebP.
fn vp8l_chunk(webp: &[u8]) -> &[u8] {
    assert_eq!(&webp[12..16], b"VP8L", "a simple lossless WebP");
    &webp[12..]
}

fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
    let mut body = vec![flags, 0, 0, 0];
    body.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    body.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    riff_chunk(b"VP8X", &body)
}

/// A WebP as a phone writes one: the extended header announcing an ICC profile, EXIF and XMP
/// around the encoder's lossless image.
fn with_webp_metadata(webp: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut chunks = vp8x(0x20 | 0x08 | 0x04 | 0x10, width, height);
    chunks.extend(riff_chunk(b"ICCP", b"device profile"));
    chunks.extend_from_slice(vp8l_chunk(webp));
    chunks.extend(riff_chunk(b"EXIF", b"GPS 37.5665"));
    chunks.extend(riff_chunk(b"XMP ", b"<x:xmpmeta>history</x:xmpmeta>"));
    riff(&chunks)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

const SECRETS: [&[u8]; 8] = [
    b"GPS",
    b"Galaxy",
    b"Minji",
    b"secret trailing",
    b"thumbnail",
    b"appended",
    b"device",
    b"history",
];

fn assert_no_metadata(cleaned: &Cleaned) {
    for secret in SECRETS {
        assert!(
            !contains(&cleaned.bytes, secret),
            "{} kept {:?}",
            cleaned.kind,
            String::from_utf8_lossy(secret)
        );
    }
}

/// What every stored image is: its type by its bytes, decoding completely to the size recorded,
/// within the stored bounds, without metadata, and the same when cleaned again.
fn assert_stored_image(cleaned: &Cleaned) {
    assert_eq!(ImageType::sniff(&cleaned.bytes), Some(cleaned.kind));
    let image = decode(&cleaned.bytes, cleaned.kind);
    assert_eq!(
        (image.width(), image.height()),
        (cleaned.width, cleaned.height)
    );
    assert!(u64::from(cleaned.width) * u64::from(cleaned.height) <= STORED_MAX_PIXELS);
    assert!(cleaned.width.min(cleaned.height) <= STORED_MAX_SHORT_SIDE);
    assert_no_metadata(cleaned);
    assert_eq!(
        &clean(&cleaned.bytes).expect("clean again").bytes,
        &cleaned.bytes,
        "cleaning is idempotent"
    );
}

fn small_rgba(width: u32, height: u32) -> Vec<u8> {
    noise(width * height)
        .take((width * height * 4) as usize)
        .collect()
}

fn small_png() -> Vec<u8> {
    with_png_metadata(&encode_png(
        6,
        4,
        ExtendedColorType::Rgba8,
        &small_rgba(6, 4),
    ))
}

fn small_jpeg() -> Vec<u8> {
    with_jpeg_metadata(&encode_jpeg(24, 16, &photo(24, 16), 90))
}

fn small_webp() -> Vec<u8> {
    let webp = encode_webp(5, 7, ExtendedColorType::Rgba8, &small_rgba(5, 7));
    with_webp_metadata(&webp, 5, 7)
}

// ---- Within the bounds: the walk's bytes --------------------------------------------------

#[test]
fn metadata_is_stripped_and_pixels_kept_for_every_type() {
    let png = encode_png(6, 4, ExtendedColorType::Rgba8, &small_rgba(6, 4));
    let jpeg = encode_jpeg(24, 16, &photo(24, 16), 90);
    let webp = encode_webp(5, 7, ExtendedColorType::Rgba8, &small_rgba(5, 7));
    for (bytes, kind, size, pixels) in [
        (with_png_metadata(&png), ImageType::Png, (6, 4), png.clone()),
        (
            with_jpeg_metadata(&jpeg),
            ImageType::Jpeg,
            (24, 16),
            without_app0(&jpeg),
        ),
        (
            with_webp_metadata(&webp, 5, 7),
            ImageType::Webp,
            (5, 7),
            vp8l_chunk(&webp).to_vec(),
        ),
    ] {
        let cleaned = clean(&bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(cleaned.kind, kind);
        assert_eq!((cleaned.width, cleaned.height), size, "{kind}");
        assert!(contains(&cleaned.bytes, &pixels), "{kind}: pixels changed");
        assert_stored_image(&cleaned);
    }
    // PNG and JPEG come back exactly as their encoders wrote them (less the JFIF header).
    assert_eq!(clean(&with_png_metadata(&png)).expect("png").bytes, png);
    assert_eq!(
        clean(&with_jpeg_metadata(&jpeg)).expect("jpeg").bytes,
        without_app0(&jpeg)
    );
}

#[test]
fn webp_flags_and_size_follow_the_dropped_chunks() {
    let cleaned = clean(&small_webp()).expect("webp").bytes;
    let riff = u32::from_le_bytes([cleaned[4], cleaned[5], cleaned[6], cleaned[7]]) as usize;
    assert_eq!(riff + 8, cleaned.len());
    // The alpha flag stays, the metadata flags go.
    assert_eq!(cleaned[20], 0x10);
}

#[test]
fn a_phone_screenshot_is_kept_byte_for_byte() {
    let (width, height) = (1170, 2532);
    let png = encode_png(
        width,
        height,
        ExtendedColorType::Rgb8,
        &screen(width, height),
    );
    let cleaned = clean(&with_png_metadata(&png)).expect("screenshot");
    assert_eq!(cleaned.kind, ImageType::Png);
    assert_eq!((cleaned.width, cleaned.height), (width, height));
    // Not re-encoded: the encoder's bytes, which is what the walk leaves of the phone's file.
    assert!(cleaned.bytes == png, "the screenshot was re-encoded");
    assert_stored_image(&cleaned);
}

#[test]
fn a_long_scrolling_screenshot_keeps_its_width() {
    // 1170 × 8000 is 9.4 megapixels: within the bounds, kept as it is.
    let (width, height) = (1170, 8000);
    let png = encode_png(
        width,
        height,
        ExtendedColorType::Rgb8,
        &screen(width, height),
    );
    let cleaned = clean(&png).expect("long screenshot");
    assert_eq!((cleaned.width, cleaned.height), (width, height));
    assert!(cleaned.bytes == png);
    // Longer ones are scaled by the pixel bound alone, and stay wide enough to read.
    assert_eq!(stored_size(1170, 20_000), (837, 14_322));
    assert_eq!(stored_size(20_000, 1170), (14_322, 837));
}

// ---- What does not decode is refused ------------------------------------------------------------

#[test]
fn what_is_not_an_image_is_refused_with_a_reason() {
    let mut corrupt = small_png();
    corrupt[40] ^= 0xFF;
    let mut huge = PNG_SIGNATURE.to_vec();
    huge.extend(ihdr(60_000, 60_000));
    huge.extend(png_chunk(b"IEND", b""));
    for (bytes, reason) in [
        (b"<svg onload=alert(1)>".to_vec(), "not a PNG, JPEG or WebP"),
        (b"GIF89a....".to_vec(), "not a PNG, JPEG or WebP"),
        (corrupt, "checksum"),
        (small_png()[..60].to_vec(), "malformed"),
        (huge, &format!("at most {MAX_PIXELS} pixels")),
        (vec![0xFF, 0xD8, 0xFF, 0xD9], "no frame header"),
        (b"RIFF\x04\0\0\0WEBP".to_vec(), "no image"),
        (b"RIFF\xff\xff\xff\x7fWEBP".to_vec(), "longer than the file"),
    ] {
        let error = clean(&bytes).expect_err(reason).to_string();
        assert!(error.contains(reason), "{error} (wanted {reason})");
    }
}

fn assert_does_not_decode(bytes: &[u8], what: &str) {
    let error = clean(bytes).expect_err(what).to_string();
    assert!(
        error.contains("the image does not decode"),
        "{what}: {error}"
    );
}

#[test]
fn a_png_whose_data_is_not_zlib_is_refused() {
    // Every chunk's checksum is right: only decoding can tell.
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(ihdr(4, 4));
    png.extend(png_chunk(b"IDAT", b"this is not a zlib stream at all"));
    png.extend(png_chunk(b"IEND", b""));
    assert_does_not_decode(&png, "IDAT not zlib");

    // A zlib stream that ends before the last row.
    let whole = encode_png(64, 64, ExtendedColorType::Rgb8, &photo(64, 64));
    let idat = 33 + 8;
    let length = u32::from_be_bytes([whole[33], whole[34], whole[35], whole[36]]) as usize;
    let mut cut = whole[..33].to_vec();
    cut.extend(png_chunk(b"IDAT", &whole[idat..idat + length / 2]));
    cut.extend(png_chunk(b"IEND", b""));
    assert_does_not_decode(&cut, "IDAT cut in half");
}

#[test]
fn a_truncated_jpeg_is_refused() {
    let jpeg = encode_jpeg(256, 256, &photo(256, 256), 90);
    // Cut in the middle of the scan, as an interrupted upload leaves it.
    let cut = &jpeg[..jpeg.len() * 2 / 3];
    let error = clean(cut).expect_err("cut jpeg").to_string();
    assert!(error.contains("a scan does not end"), "{error}");
}

#[test]
fn a_jpeg_whose_tables_do_not_match_its_scan_is_refused() {
    // The walk sees well-formed segments; the scan names components the frame does not have.
    let jpeg = without_app0(&encode_jpeg(32, 32, &photo(32, 32), 90));
    let sos = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .expect("a scan");
    let mut broken = jpeg.clone();
    // Component selectors of the scan header: 1, 2, 3 become 7, 8, 9.
    for component in 0..3 {
        broken[sos + 5 + 2 * component] += 6;
    }
    assert!(clean(&jpeg).is_ok());
    assert_does_not_decode(&broken, "scan with unknown components");
}

#[test]
fn a_webp_with_garbage_vp8_data_is_refused() {
    // A well-formed lossy frame header (key frame, start code, 640 × 480) and then noise.
    let garbage: Vec<u8> = noise(7).take(256).collect();
    let first_partition = 128u32;
    let tag = (first_partition << 5) | 0x10;
    let mut body = tag.to_le_bytes()[..3].to_vec();
    body.extend_from_slice(&[0x9D, 0x01, 0x2A]);
    body.extend_from_slice(&640u16.to_le_bytes());
    body.extend_from_slice(&480u16.to_le_bytes());
    body.extend_from_slice(&garbage);
    let webp = riff(&riff_chunk(b"VP8 ", &body));
    assert_does_not_decode(&webp, "garbage VP8");

    // A lossless image whose bit stream is noise.
    let lossless = encode_webp(64, 64, ExtendedColorType::Rgb8, &photo(64, 64));
    let mut scrambled = lossless.clone();
    for (byte, noise) in scrambled[26..].iter_mut().zip(noise(9)) {
        *byte ^= noise;
    }
    assert_does_not_decode(&scrambled, "garbage VP8L");
}

// ---- Larger than an operator needs: downscaled --------------------------------------------------

#[test]
fn a_png_bomb_is_stored_downscaled() {
    // 5,700 × 5,700 zeros: ~95 KB of PNG for 32.5 megapixels, under MAX_PIXELS.
    let (width, height) = (5700, 5700);
    let png = encode_png(
        width,
        height,
        ExtendedColorType::Rgb8,
        &vec![0; (width * height * 3) as usize],
    );
    assert!(png.len() < 120_000, "{} bytes", png.len());
    let cleaned = clean(&with_png_metadata(&png)).expect("bomb");
    assert_eq!(cleaned.kind, ImageType::Png);
    assert_eq!(
        (cleaned.width, cleaned.height),
        (STORED_MAX_SHORT_SIDE, STORED_MAX_SHORT_SIDE)
    );
    assert_stored_image(&cleaned);
    assert!(
        decode(&cleaned.bytes, ImageType::Png)
            .into_rgb8()
            .pixels()
            .all(|p| p.0 == [0, 0, 0])
    );
}

#[test]
fn a_large_jpeg_is_downscaled_and_stays_jpeg() {
    // A photo with its EXIF, its short side over the bound.
    let (width, height) = (3000, 2250);
    let jpeg = encode_jpeg(width, height, &photo(width, height), 85);
    let cleaned = clean(&with_jpeg_metadata(&jpeg)).expect("photo");
    assert_eq!(cleaned.kind, ImageType::Jpeg);
    assert_eq!((cleaned.width, cleaned.height), (2880, 2160));
    assert_stored_image(&cleaned);
}

#[test]
fn a_large_webp_becomes_png() {
    let (width, height) = (2400, 2200);
    let rgba: Vec<u8> = screen(width, height)
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 200])
        .collect();
    let webp = encode_webp(width, height, ExtendedColorType::Rgba8, &rgba);
    let cleaned = clean(&with_webp_metadata(&webp, width, height)).expect("webp");
    assert_eq!(cleaned.kind, ImageType::Png, "the stored bytes are a PNG");
    assert_eq!((cleaned.width, cleaned.height), (2356, 2160));
    assert_stored_image(&cleaned);
    // Alpha survives.
    let image = decode(&cleaned.bytes, ImageType::Png).into_rgba8();
    assert!(image.pixels().all(|p| p.0[3] == 200));
}

#[test]
fn an_animated_webp_keeps_its_first_frame_as_png() {
    let frames: Vec<Vec<u8>> = [[255, 0, 0, 255], [0, 0, 255, 255]]
        .iter()
        .map(|rgba| {
            let pixels: Vec<u8> = rgba.iter().copied().cycle().take(8 * 6 * 4).collect();
            vp8l_chunk(&encode_webp(8, 6, ExtendedColorType::Rgba8, &pixels)).to_vec()
        })
        .collect();
    // VP8X with the animation and alpha flags, ANIM (background, loop count), two ANMF frames.
    let mut chunks = vp8x(0x02 | 0x10, 8, 6);
    chunks.extend(riff_chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for frame in &frames {
        // Offset 0, 0; 8 × 6; 100 ms; no blending, no disposal.
        let mut body = vec![0, 0, 0, 0, 0, 0, 7, 0, 0, 5, 0, 0, 100, 0, 0, 0b10];
        body.extend_from_slice(frame);
        chunks.extend(riff_chunk(b"ANMF", &body));
    }
    let cleaned = clean(&riff(&chunks)).expect("animation");
    assert_eq!(cleaned.kind, ImageType::Png);
    assert_eq!((cleaned.width, cleaned.height), (8, 6));
    assert_stored_image(&cleaned);
    let image = decode(&cleaned.bytes, ImageType::Png).into_rgba8();
    assert!(
        image.pixels().all(|p| p.0 == [255, 0, 0, 255]),
        "the first frame"
    );
}

#[test]
fn downscaling_averages_areas_and_weights_colour_by_alpha() {
    // A one-pixel checkerboard of opaque white and transparent black, 2592² scaled by 5/6: every
    // stored pixel covers parts of both. Picking pixels (nearest, or the `image` crate's
    // `thumbnail`, whose footprints are whole pixels) would leave pixels opaque white or
    // transparent black; area averaging gives white (colour weighted by alpha: the transparent
    // black does not darken it), partly transparent, everywhere.
    let side = 2592usize;
    let (white, clear) = ([255u8, 255], [0u8, 0]);
    let even = [white, clear].concat().repeat(side / 2);
    let odd = [clear, white].concat().repeat(side / 2);
    let pixels = [even, odd].concat().repeat(side / 2);
    let side = side as u32;
    let png = encode_png(side, side, ExtendedColorType::La8, &pixels);
    let cleaned = clean(&png).expect("checkerboard");
    assert_eq!((cleaned.width, cleaned.height), (2160, 2160));
    let image = decode(&cleaned.bytes, ImageType::Png).into_luma_alpha8();
    assert!(
        image
            .pixels()
            .all(|p| p.0[0] == 255 && (1..255).contains(&p.0[1])),
        "{:?}",
        image
            .pixels()
            .find(|p| p.0[0] != 255 || !(1..255).contains(&p.0[1]))
    );

    // Scaled by 2/3: edge pixels count by the part inside, exactly.
    let side = 3240u32;
    let stripes = [0, 90, 180].repeat((side / 3 * side) as usize);
    let png = encode_png(side, side, ExtendedColorType::L8, &stripes);
    let cleaned = clean(&png).expect("stripes");
    assert_eq!((cleaned.width, cleaned.height), (2160, 2160));
    let image = decode(&cleaned.bytes, ImageType::Png).into_luma8();
    // Stored pixel 0 covers source 0 and half of 1: (0 + 45) / 1.5 = 30; pixel 1 covers the
    // other half of 1 and 2: (45 + 180) / 1.5 = 150.
    assert_eq!(image.get_pixel(0, 0).0, [30]);
    assert_eq!(image.get_pixel(1, 0).0, [150]);
    assert_eq!(image.get_pixel(2, 2159).0, [30]);
}

#[test]
fn stored_sizes_keep_the_aspect_and_the_bounds() {
    // Within both bounds: as is.
    for size in [
        (1, 1),
        (1170, 2532),
        (3840, 2160),
        (2160, 5555),
        (1, 12_000_000),
    ] {
        assert_eq!(stored_size(size.0, size.1), size);
    }
    // The short side binds for square-ish images, exactly.
    assert_eq!(stored_size(5700, 5700), (2160, 2160));
    assert_eq!(stored_size(4032, 3024), (2880, 2160));
    assert_eq!(stored_size(5120, 2880), (3840, 2160));
    assert_eq!(stored_size(7680, 4320), (3840, 2160));
    // The pixel bound binds for long ones; a side never goes below one pixel.
    assert_eq!(stored_size(1, 30_000_000), (1, 12_000_000));
}

proptest! {
    #[test]
    fn stored_sizes_are_within_the_bounds(
        (width, height) in (1u32..70_000).prop_flat_map(|width| {
            let most = (MAX_PIXELS / u64::from(width)).min(70_000) as u32;
            (Just(width), 1..=most)
        }),
    ) {
        let (w, h) = stored_size(width, height);
        prop_assert!(w >= 1 && h >= 1 && w <= width && h <= height);
        prop_assert!(u64::from(w) * u64::from(h) <= STORED_MAX_PIXELS);
        prop_assert!(w.min(h) <= STORED_MAX_SHORT_SIDE);
        if (w, h) != (width, height) && w > 1 && h > 1 {
            // One scale for both sides, to the pixel (each side loses less than one to rounding,
            // the long one perhaps one more to the pixel bound).
            let (sx, sy) = (f64::from(w) / f64::from(width), f64::from(h) / f64::from(height));
            let tolerance = 2.0 / f64::from(width.min(height));
            prop_assert!((sx - sy).abs() <= tolerance, "{width}×{height} → {w}×{h} ({sx} vs {sy})");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        signature in 0usize..4,
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let prefix: &[u8] = [&b""[..], PNG_SIGNATURE, &[0xFF, 0xD8, 0xFF], b"RIFF\0\0\0\0WEBP"][signature];
        let mut input = prefix.to_vec();
        input.extend(bytes);
        let _ = clean(&input);
    }

    #[test]
    fn mangled_images_never_panic_and_what_passes_decodes_within_the_bounds(
        pick in 0usize..3,
        cut in proptest::option::of(any::<proptest::sample::Index>()),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = [small_png(), small_jpeg(), small_webp()][pick].clone();
        let len = bytes.len();
        for (at, value) in flips {
            bytes[at.index(len)] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(len).max(12));
        }
        if let Ok(cleaned) = clean(&bytes) {
            prop_assert_eq!(ImageType::sniff(&cleaned.bytes), Some(cleaned.kind));
            let image = decode(&cleaned.bytes, cleaned.kind);
            prop_assert_eq!((image.width(), image.height()), (cleaned.width, cleaned.height));
            prop_assert!(u64::from(cleaned.width) * u64::from(cleaned.height) <= STORED_MAX_PIXELS);
            prop_assert!(cleaned.width.min(cleaned.height) <= STORED_MAX_SHORT_SIDE);
            prop_assert_eq!(&clean(&cleaned.bytes).expect("clean again").bytes, &cleaned.bytes);
            prop_assert!(cleaned.bytes.len() <= bytes.len() + 2);
        }
    }
}

/// Times of the expensive cases, for the record (`cargo test -p desk --lib --release --
/// --ignored --nocapture cleaning_times`).
#[test]
#[ignore = "a measurement, not a check"]
fn cleaning_times() {
    // A 12-megapixel photo of about 5 MB (the upload limit).
    let (width, height) = (4032, 3024);
    let jpeg = encode_jpeg(width, height, &photo(width, height), 72);
    let png = encode_png(
        5700,
        5700,
        ExtendedColorType::Rgb8,
        &vec![0; 5700 * 5700 * 3],
    );
    let screenshot = encode_png(1170, 2532, ExtendedColorType::Rgb8, &screen(1170, 2532));
    for (name, bytes) in [
        ("phone JPEG 4032×3024", &jpeg),
        ("zero PNG 5700×5700", &png),
        ("screenshot PNG 1170×2532", &screenshot),
    ] {
        let start = std::time::Instant::now();
        let cleaned = clean(bytes).expect("clean");
        println!(
            "{name}: {} KB → {} {}×{} {} KB in {:?}",
            bytes.len() / 1024,
            cleaned.kind,
            cleaned.width,
            cleaned.height,
            cleaned.bytes.len() / 1024,
            start.elapsed(),
        );
    }
}

#[tokio::test]
async fn files_are_kept_under_checked_keys_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = DirBlobs::new(dir.path().join("attachments"));
    let attachment = Attachment {
        id: crate::model::new_id("att"),
        kind: ImageType::Png,
        size: 3,
        width: 1,
        height: 1,
    };
    let conversation = crate::model::new_id("cv");
    let key = attachment.key(&conversation).expect("key");
    blobs.put(&key, b"png".to_vec()).await.expect("put");
    assert_eq!(
        blobs.get(&key).await.expect("get").as_deref(),
        Some(&b"png"[..])
    );
    blobs.delete(&key).await.expect("delete");
    assert_eq!(blobs.get(&key).await.expect("get"), None);
    assert!(attachment.key("cv_../../etc").is_err());
    for key in [
        "../x.png",
        "a/../../b.png",
        "/etc/passwd",
        "a/b/c.png",
        "a/.b",
    ] {
        assert!(blobs.put(key, Vec::new()).await.is_err(), "{key}");
    }
}
