//! What the commands print.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

pub fn site_summary(out: &Path, report: &kb::site::Report, started: Instant) -> String {
    format!(
        "rendered {}: {} pages, {} files, {:.1} MB in {:.2} s",
        out.display(),
        report.pages,
        report.files,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    )
}

pub fn print_results(results: &kb::SearchResults) {
    let (bold, plain) = if std::io::stdout().is_terminal() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    for notice in &results.notices {
        say!("note: {notice}");
    }
    if results.hits.is_empty() {
        say!("no guides match \"{}\" ({})", results.query, results.lang);
        return;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        say!(
            "{}. {}  [{}]  score {:.2}",
            rank + 1,
            hit.guide.title,
            hit.guide.id,
            hit.score
        );
        for section in &hit.sections {
            let anchor = if section.anchor.is_empty() {
                String::new()
            } else {
                format!(" #{}", section.anchor)
            };
            let heading = if section.heading.is_empty() {
                "(introduction)"
            } else {
                &section.heading
            };
            say!("   § {heading}{anchor}");
            if let Some(snippet) = &section.snippet {
                say!("     {}", snippet.marked(bold, plain));
            }
        }
    }
}

pub fn print_eval(report: &kb::eval::Report, misses: bool) {
    say!(
        "{:<8} {:>7} {:>6} {:>6} {:>7} {:>8} {:>8} {:>8}",
        "lang",
        "queries",
        "R@1",
        "R@5",
        "MRR@10",
        "nDCG@10",
        "p50 µs",
        "p99 µs"
    );
    let row = |name: &str, s: &kb::eval::Summary| {
        say!(
            "{name:<8} {:>7} {:>6.3} {:>6.3} {:>7.3} {:>8.3} {:>8} {:>8}",
            s.queries,
            s.mean.recall_1,
            s.mean.recall_5,
            s.mean.mrr,
            s.mean.ndcg,
            s.p50_us,
            s.p99_us
        );
    };
    for (lang, summary) in &report.languages {
        row(lang.code(), summary);
    }
    row("all", &report.overall);
    if misses {
        say!("");
        for q in report
            .queries
            .iter()
            .filter(|q| q.ranking.first() != q.relevant.first())
        {
            let rank = q
                .ranking
                .iter()
                .position(|id| Some(id) == q.relevant.first())
                .map_or("-".to_string(), |r| (r + 1).to_string());
            say!(
                "{} rank {rank:>2}  {}  want {}  got {}",
                q.id,
                q.q,
                q.relevant[0],
                q.ranking.first().map_or("nothing", String::as_str)
            );
        }
    }
}

pub fn print_bench(report: &kb::bench::Report) {
    for b in &report.builds {
        say!(
            "build {:<14} {:>6} guides {:>7.1} MB  median {:>8.1} ms  {:>8.0} guides/s  {:>6.2} MB/s  index {:.1} MB",
            b.set,
            b.guides,
            b.bytes as f64 / 1e6,
            b.median_ms,
            b.guides_per_s,
            b.mb_per_s,
            b.index_bytes as f64 / 1e6
        );
    }
    let l = &report.search;
    say!(
        "search (in process, with snippets)  {} queries  p50 {} µs  p99 {} µs",
        l.samples,
        l.p50_us,
        l.p99_us
    );
    let l = &report.ranking;
    say!(
        "ranking only (top 10 ids)           {} queries  p50 {} µs  p99 {} µs",
        l.samples,
        l.p50_us,
        l.p99_us
    );
    let l = &report.open_and_first_query;
    say!(
        "open index + first query            {} runs     p50 {} µs  p99 {} µs",
        l.samples,
        l.p50_us,
        l.p99_us
    );
    if let Some(kib) = report.peak_rss_kib {
        say!("peak RSS {:.1} MB", kib as f64 / 1024.0);
    }
}
