//! `cargo run -p encoder --release --example embed -- MODEL [--passage] [--time REPEATS] < lines`
//!
//! Embeds each line of stdin; prints one JSON array per line, or with `--time`, each line's
//! median latency over REPEATS runs as `chars\ttokens\tmicroseconds`.

use std::io::BufRead;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = args
        .first()
        .ok_or("usage: embed MODEL [--passage] [--time N]")?;
    let kind = if args.iter().any(|a| a == "--passage") {
        encoder::Kind::Passage
    } else {
        encoder::Kind::Query
    };
    let repeats: Option<usize> = args
        .iter()
        .position(|a| a == "--time")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    let started = Instant::now();
    let encoder = encoder::Encoder::open(model.as_ref())?;
    eprintln!("loaded in {:?}", started.elapsed());
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    for line in &lines {
        match repeats {
            Some(n) => {
                let mut times: Vec<u128> = (0..n)
                    .map(|_| {
                        let t = Instant::now();
                        std::hint::black_box(encoder.embed(kind, &[line]));
                        t.elapsed().as_micros()
                    })
                    .collect();
                times.sort_unstable();
                println!(
                    "{}\t{}\t{}",
                    line.chars().count(),
                    encoder.tokens(kind, line).len() + 2,
                    times[n / 2]
                );
            }
            None => {
                let v = encoder.embed(kind, &[line]);
                let text: Vec<String> = v[0].iter().map(|x| format!("{x:.6}")).collect();
                println!("[{}]", text.join(","));
            }
        }
    }
    Ok(())
}
