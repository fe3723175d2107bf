//! The model file as an attacker would hand it over: a tiny but complete model, then the same
//! bytes cut short or flipped. Loading either works or says what is wrong; it never panics, and
//! whatever loads can embed any text.

use encoder::{Encoder, Kind};
use proptest::prelude::*;

/// A complete E5S1 file for a 1-layer, 32-wide model over eight pieces.
fn tiny_model() -> Vec<u8> {
    let (h, ff, maxp) = (32u32, 32u32, 16u32);
    let pieces = [
        "<s>",
        "<pad>",
        "</s>",
        "<unk>",
        "\u{2581}",
        "a",
        "b",
        "\u{2581}a",
    ];
    let mut f = Vec::new();
    f.extend_from_slice(b"E5S1");
    f.extend_from_slice(&1u32.to_le_bytes());
    for v in [h, 1, 2, ff, pieces.len() as u32, maxp, 1] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    f.extend_from_slice(&1e-12f32.to_le_bytes());
    f.extend_from_slice(&32u32.to_le_bytes());
    // tokenizer
    f.extend_from_slice(&(pieces.len() as u32).to_le_bytes());
    for id in [0u32, 2, 1, 3] {
        f.extend_from_slice(&id.to_le_bytes());
    }
    let blob: Vec<u8> = pieces.iter().flat_map(|p| p.bytes()).collect();
    f.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    let mut at = 0u32;
    f.extend_from_slice(&at.to_le_bytes());
    for p in pieces {
        at += p.len() as u32;
        f.extend_from_slice(&at.to_le_bytes());
    }
    for (i, _) in pieces.iter().enumerate() {
        f.extend_from_slice(&(-(i as f32)).to_le_bytes());
    }
    f.extend_from_slice(&blob);
    // normalisation: 'A' → 'a'
    let mut norm = Vec::new();
    norm.extend_from_slice(&('A' as u32).to_le_bytes());
    norm.push(1);
    norm.extend_from_slice(&('a' as u32).to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&(norm.len() as u32).to_le_bytes());
    f.extend_from_slice(&norm);
    // tensors: name, dtype, elements
    let mut tensors: Vec<(String, u8, u32)> = vec![
        ("emb.word".into(), 1, pieces.len() as u32 * h),
        ("emb.pos".into(), 0, maxp * h),
        ("emb.type".into(), 0, h),
        ("emb.ln.w".into(), 0, h),
        ("emb.ln.b".into(), 0, h),
    ];
    for (name, rows, cols) in [
        ("q", h, h),
        ("k", h, h),
        ("v", h, h),
        ("ao", h, h),
        ("fi", ff, h),
        ("fo", h, ff),
    ] {
        tensors.push((format!("l0.{name}.w"), 1, rows * cols));
        tensors.push((format!("l0.{name}.b"), 0, rows));
    }
    for name in ["aln", "oln"] {
        tensors.push((format!("l0.{name}.w"), 0, h));
        tensors.push((format!("l0.{name}.b"), 0, h));
    }
    let size = |dtype: u8, n: u32| {
        if dtype == 0 {
            n as u64 * 4
        } else {
            n as u64 / 32 * 18
        }
    };
    let dir_len: usize = 4 + tensors
        .iter()
        .map(|(n, _, _)| 2 + n.len() + 1 + 4 + 8 + 8)
        .sum::<usize>();
    let mut offset = (f.len() + dir_len) as u64;
    f.extend_from_slice(&(tensors.len() as u32).to_le_bytes());
    for (name, dtype, n) in &tensors {
        f.extend_from_slice(&(name.len() as u16).to_le_bytes());
        f.extend_from_slice(name.as_bytes());
        f.push(*dtype);
        f.extend_from_slice(&n.to_le_bytes());
        f.extend_from_slice(&offset.to_le_bytes());
        f.extend_from_slice(&size(*dtype, *n).to_le_bytes());
        offset += size(*dtype, *n);
    }
    for (i, (name, dtype, n)) in tensors.iter().enumerate() {
        if *dtype == 0 {
            let one = name.ends_with(".w") && name.contains("ln");
            for k in 0..*n {
                let v = if one {
                    1.0f32
                } else {
                    ((k as f32 + i as f32) * 0.37).sin() * 0.1
                };
                f.extend_from_slice(&v.to_le_bytes());
            }
        } else {
            for b in 0..n / 32 {
                f.extend_from_slice(&half::f16::from_f32(0.05).to_le_bytes());
                f.extend((0..16u32).map(|j| ((b * 7 + j * 13 + i as u32) % 256) as u8));
            }
        }
    }
    f
}

#[test]
fn a_tiny_model_loads_and_embeds_every_kind_of_text() {
    let encoder = Encoder::from_bytes(tiny_model()).expect("the tiny model loads");
    assert_eq!(encoder.dimensions(), 32);
    // "A" normalises to "a", so both texts are the same pieces and the same vector.
    assert_eq!(
        encoder.tokens(Kind::Query, "A"),
        encoder.tokens(Kind::Query, "a")
    );
    let long = "ab ".repeat(40);
    let texts = ["", "a", "A", "ab  ba", "없는 글자", long.as_str()];
    let vectors = encoder.embed(Kind::Passage, &texts);
    assert_eq!(vectors.len(), texts.len());
    for v in &vectors {
        let norm: f32 = v.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4, "not unit length: {norm}");
    }
    assert_eq!(vectors[1], vectors[2]);
}

#[test]
fn a_file_that_is_not_a_model_is_refused_with_a_reason() {
    for (bytes, expect) in [
        (b"GGUF".to_vec(), "does not start with E5S1"),
        (b"E5".to_vec(), "truncated"),
        (Vec::new(), "truncated"),
    ] {
        let error = Encoder::from_bytes(bytes).expect_err("refused").to_string();
        assert!(error.contains(expect), "{error}");
    }
    let mut wrong_version = tiny_model();
    wrong_version[4] = 9;
    let error = Encoder::from_bytes(wrong_version)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("version 9"), "{error}");
    let missing = std::path::Path::new("/nonexistent/e5.bin");
    assert!(
        Encoder::open(missing)
            .expect_err("refused")
            .to_string()
            .contains("/nonexistent/e5.bin")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_cut_short_model_is_an_error_not_a_panic(keep in 0usize..1.0e4 as usize) {
        let model = tiny_model();
        let keep = keep.min(model.len() - 1);
        prop_assert!(Encoder::from_bytes(model[..keep].to_vec()).is_err());
    }

    #[test]
    fn a_mangled_model_loads_or_is_refused_and_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        text in "\\PC{0,40}",
    ) {
        let mut model = tiny_model();
        // Most flips land in the header, the tokenizer and the directory, where parsing happens.
        let head = 1200.min(model.len());
        for (at, byte) in flips {
            let i = at.index(head);
            model[i] = byte;
        }
        if let Ok(encoder) = Encoder::from_bytes(model) {
            let v = encoder.embed(Kind::Query, &[text.as_str()]);
            prop_assert_eq!(v.len(), 1);
        }
    }
}
