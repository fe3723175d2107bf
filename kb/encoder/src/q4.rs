//! GGML's Q4_0 block: an f16 scale `d` and 32 four-bit weights `q`, the weight being `d * (q - 8)`.
//! Byte `j` of the 16 holds weight `j` in its low nibble and weight `j + 16` in its high nibble.

/// Weights per block.
pub const BLOCK: usize = 32;
/// Bytes per block: a 2-byte scale and 16 bytes of nibbles.
pub const BLOCK_BYTES: usize = 18;

/// A block's scale.
#[inline]
pub fn scale(block: &[u8]) -> f32 {
    half::f16::from_le_bytes([block[0], block[1]]).to_f32()
}

/// Unpacks a row of blocks into centred weights (`q - 8`, in -8..=7) and per-block scales.
/// `weights.len()` is the row's width; `scales.len()` its block count.
#[inline]
pub fn unpack_row(row: &[u8], weights: &mut [i8], scales: &mut [f32]) {
    for ((block, w), d) in row
        .chunks_exact(BLOCK_BYTES)
        .zip(weights.chunks_exact_mut(BLOCK))
        .zip(scales.iter_mut())
    {
        *d = scale(block);
        let (low, high) = w.split_at_mut(BLOCK / 2);
        for ((&byte, lo), hi) in block[2..].iter().zip(low).zip(high) {
            *lo = (byte & 0x0F) as i8 - 8;
            *hi = (byte >> 4) as i8 - 8;
        }
    }
}

/// Dequantises a row of blocks into `out` (as wide as the row).
pub fn dequantize_row(row: &[u8], out: &mut [f32]) {
    for (block, o) in row
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(BLOCK))
    {
        let d = scale(block);
        let (low, high) = o.split_at_mut(BLOCK / 2);
        for ((&byte, lo), hi) in block[2..].iter().zip(low).zip(high) {
            *lo = f32::from((byte & 0x0F) as i8 - 8) * d;
            *hi = f32::from((byte >> 4) as i8 - 8) * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_unpacks_low_nibbles_first_then_high() {
        let mut block = [0u8; BLOCK_BYTES];
        block[..2].copy_from_slice(&half::f16::from_f32(0.5).to_le_bytes());
        for (j, b) in block[2..].iter_mut().enumerate() {
            *b = (j as u8 & 0x0F) | (15 - j as u8) << 4;
        }
        let mut w = [0i8; BLOCK];
        let mut d = [0f32; 1];
        unpack_row(&block, &mut w, &mut d);
        assert_eq!(d[0], 0.5);
        assert_eq!(w[0], -8);
        assert_eq!(w[15], 7);
        assert_eq!(w[16], 7);
        assert_eq!(w[31], -8);
        let mut f = [0f32; BLOCK];
        dequantize_row(&block, &mut f);
        assert_eq!(f[1], -3.5);
        assert_eq!(f[16], 3.5);
    }
}
