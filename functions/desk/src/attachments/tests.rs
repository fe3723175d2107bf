//! The cleaner as an attacker meets it: real-shaped images with metadata come out without it and
//! with their pixels untouched; arbitrary bytes never panic; cleaning is idempotent.

use proptest::prelude::*;

use super::image::{ImageType, MAX_PIXELS, clean};
use super::{Attachment, Blobs, DirBlobs};

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

/// A PNG as a phone writes one: header, ICC profile, EXIF with a position, text, image data, end,
/// and bytes hidden after the end.
fn phone_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(ihdr(2, 2));
    png.extend(png_chunk(b"iCCP", b"Galaxy S24 Ultra profile\0\0xyz"));
    png.extend(png_chunk(b"eXIf", b"GPS 37.5665 N 126.9780 E"));
    png.extend(png_chunk(b"sRGB", &[0]));
    png.extend(png_chunk(b"tEXt", b"Author\0Kim Minji 010-1234-5678"));
    png.extend(png_chunk(b"IDAT", b"pixels-as-sent"));
    png.extend(png_chunk(b"IEND", b""));
    png.extend_from_slice(b"secret trailing bytes");
    png
}

fn jpeg_segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn phone_jpeg() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend(jpeg_segment(0xE0, b"JFIF\0\x01\x02thumbnail-of-uncropped"));
    jpeg.extend(jpeg_segment(
        0xE1,
        b"Exif\0\0GPS 37.5665 126.9780 serial 42",
    ));
    jpeg.extend(jpeg_segment(0xE2, b"ICC_PROFILE\0device"));
    jpeg.extend(jpeg_segment(0xFE, b"comment: Kim Minji"));
    jpeg.extend(jpeg_segment(0xDB, &[0; 65]));
    // Baseline frame: precision 8, height 3, width 4, one component.
    jpeg.extend(jpeg_segment(0xC0, &[8, 0, 3, 0, 4, 1, 1, 0x11, 0]));
    jpeg.extend(jpeg_segment(0xC4, &[0; 20]));
    jpeg.extend(jpeg_segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    // Entropy-coded data with a stuffed 0xFF and a restart marker.
    jpeg.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    jpeg.extend_from_slice(b"appended zip");
    jpeg
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

fn phone_webp() -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    // VP8X: flags ICC | EXIF | XMP | alpha, canvas 5 × 7.
    body.extend(riff_chunk(
        b"VP8X",
        &[0x20 | 0x08 | 0x04 | 0x10, 0, 0, 0, 4, 0, 0, 6, 0, 0],
    ));
    body.extend(riff_chunk(b"ICCP", b"device profile"));
    body.extend(riff_chunk(b"VP8L", &[0x2F, 4, 0x80, 1, 0, 9, 9]));
    body.extend(riff_chunk(b"EXIF", b"GPS 37.5665"));
    body.extend(riff_chunk(b"XMP ", b"<x:xmpmeta>history</x:xmpmeta>"));
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&(body.len() as u32).to_le_bytes());
    webp.extend(body);
    webp
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

#[test]
fn metadata_is_stripped_and_pixels_kept_for_every_type() {
    for (bytes, kind, size, pixels) in [
        (phone_png(), ImageType::Png, (2, 2), &b"pixels-as-sent"[..]),
        (
            phone_jpeg(),
            ImageType::Jpeg,
            (4, 3),
            &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56][..],
        ),
        (
            phone_webp(),
            ImageType::Webp,
            (5, 7),
            &[0x2F, 4, 0x80, 1, 0, 9, 9][..],
        ),
    ] {
        let cleaned = clean(&bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(cleaned.kind, kind);
        assert_eq!((cleaned.width, cleaned.height), size, "{kind}");
        assert!(contains(&cleaned.bytes, pixels), "{kind}: pixels changed");
        for secret in SECRETS {
            assert!(
                !contains(&cleaned.bytes, secret),
                "{kind} kept {:?}",
                String::from_utf8_lossy(secret)
            );
        }
        assert_eq!(clean(&cleaned.bytes).expect("again").bytes, cleaned.bytes);
    }
}

#[test]
fn webp_flags_and_size_follow_the_dropped_chunks() {
    let cleaned = clean(&phone_webp()).expect("webp").bytes;
    let riff = u32::from_le_bytes([cleaned[4], cleaned[5], cleaned[6], cleaned[7]]) as usize;
    assert_eq!(riff + 8, cleaned.len());
    // The alpha flag stays, the metadata flags go.
    assert_eq!(cleaned[20], 0x10);
}

#[test]
fn what_is_not_an_image_is_refused_with_a_reason() {
    let mut corrupt = phone_png();
    corrupt[40] ^= 0xFF;
    let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
    huge.extend(ihdr(60_000, 60_000));
    huge.extend(png_chunk(b"IEND", b""));
    for (bytes, reason) in [
        (b"<svg onload=alert(1)>".to_vec(), "not a PNG, JPEG or WebP"),
        (b"GIF89a....".to_vec(), "not a PNG, JPEG or WebP"),
        (corrupt, "checksum"),
        (phone_png()[..60].to_vec(), "malformed"),
        (huge, &format!("at most {MAX_PIXELS} pixels")),
        (vec![0xFF, 0xD8, 0xFF, 0xD9], "no frame header"),
        (b"RIFF\x04\0\0\0WEBP".to_vec(), "no image"),
        (b"RIFF\xff\xff\xff\x7fWEBP".to_vec(), "longer than the file"),
    ] {
        let error = clean(&bytes).expect_err(reason).to_string();
        assert!(error.contains(reason), "{error} (wanted {reason})");
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = clean(&bytes);
    }

    #[test]
    fn mangled_images_never_panic_and_what_passes_is_clean(
        pick in 0usize..3,
        cut in 0usize..400,
        flips in proptest::collection::vec((0usize..400, any::<u8>()), 0..4),
    ) {
        let mut bytes = [phone_png(), phone_jpeg(), phone_webp()][pick].clone();
        for (at, value) in flips {
            if let Some(b) = bytes.get_mut(at) {
                *b = value;
            }
        }
        bytes.truncate(cut.max(12));
        if let Ok(cleaned) = clean(&bytes) {
            prop_assert_eq!(ImageType::sniff(&cleaned.bytes), Some(cleaned.kind));
            prop_assert_eq!(&clean(&cleaned.bytes).expect("clean again").bytes, &cleaned.bytes);
            prop_assert!(cleaned.bytes.len() <= bytes.len() + 2);
        }
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
