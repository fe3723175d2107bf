//! `kb bench`: build throughput, query latency and cold open, as numbers to report.
//!
//! Written as a subcommand rather than a criterion suite so that it measures exactly the paths
//! users run (a whole build, a fresh open plus first query) and costs CI no extra compile.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{IoContext, Result};
use crate::eval::percentile;
use crate::guide::{Corpus, EXTENSIONS};
use crate::index::{KnowledgeBase, build};
use crate::search::SearchRequest;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// The guide set.
    pub guides: PathBuf,
    /// Queries (JSONL as for `kb eval`); guide titles when absent.
    pub queries: Option<PathBuf>,
    /// Size of the synthetic set, as a multiple of the guide set (0 skips it).
    pub scale: usize,
    /// Builds per set (the median is reported).
    pub runs: usize,
    /// Passes over the queries for latency.
    pub query_passes: usize,
    /// Fresh opens for the cold path.
    pub opens: usize,
}

/// Build throughput of one set.
#[derive(Debug, Clone, Serialize)]
pub struct BuildNumbers {
    /// Which set.
    pub set: String,
    /// Guides.
    pub guides: usize,
    /// Markdown bytes.
    pub bytes: u64,
    /// Median build time (load, parse, index, publish), milliseconds.
    pub median_ms: f64,
    /// Guides per second at the median.
    pub guides_per_s: f64,
    /// MB (10^6 bytes) of Markdown per second at the median.
    pub mb_per_s: f64,
    /// Index size in bytes.
    pub index_bytes: u64,
}

/// Latency numbers, microseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Samples.
    pub samples: usize,
    /// Median.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
}

/// Everything `kb bench` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Build throughput per set.
    pub builds: Vec<BuildNumbers>,
    /// Search latency in process, snippets included.
    pub search: Latency,
    /// Ranking only: the top 10 guide ids, no snippets (what a reference engine's top-10 run
    /// measures, and what `kb eval` and the bot need).
    pub ranking: Latency,
    /// Open the index directory and answer one query, fresh each time (page cache warm).
    pub open_and_first_query: Latency,
    /// Peak resident memory of this process, KiB (Linux `VmHWM`).
    pub peak_rss_kib: Option<u64>,
}

/// Runs the benchmark, printing progress lines through `log`.
pub fn run(options: &Options, log: &dyn Fn(&str)) -> Result<Report> {
    let work = tempfile::Builder::new()
        .prefix("kb-bench-")
        .tempdir()
        .at(std::env::temp_dir())?;
    let mut builds = vec![measure_build(
        "guides",
        &options.guides,
        &work.path().join("index"),
        options.runs,
        log,
    )?];
    if options.scale > 1 {
        let synthetic = work.path().join("synthetic");
        log(&format!(
            "writing a synthetic set {}× the guides …",
            options.scale
        ));
        replicate(&options.guides, &synthetic, options.scale)?;
        builds.push(measure_build(
            &format!("synthetic {}×", options.scale),
            &synthetic,
            &work.path().join("synthetic-index"),
            options.runs,
            log,
        )?);
        std::fs::remove_dir_all(&synthetic).at(&synthetic)?;
    }

    let index = work.path().join("index");
    let kb = KnowledgeBase::open(&index)?;
    let queries: Vec<String> = match &options.queries {
        Some(path) => crate::eval::read_queries(path)?
            .into_iter()
            .map(|q| q.q)
            .collect(),
        None => kb.guides().iter().map(|g| g.guide.title.clone()).collect(),
    };
    log(&format!(
        "searching {} queries × {} passes …",
        queries.len(),
        options.query_passes
    ));
    let mut times = Vec::new();
    for _ in 0..options.query_passes {
        for q in &queries {
            let started = Instant::now();
            kb.search(&SearchRequest::new(q))?;
            times.push(started.elapsed());
        }
    }
    let search = latency(times);
    let mut times = Vec::new();
    for _ in 0..options.query_passes {
        for q in &queries {
            let started = Instant::now();
            kb.search(&SearchRequest {
                snippets: false,
                ..SearchRequest::new(q)
            })?;
            times.push(started.elapsed());
        }
    }
    drop(kb);
    let ranking = latency(times);

    log(&format!(
        "opening the index and answering a first query {} times …",
        options.opens
    ));
    let first = queries.first().cloned().unwrap_or_default();
    let mut times = Vec::new();
    for _ in 0..options.opens {
        let started = Instant::now();
        let kb = KnowledgeBase::open(&index)?;
        kb.search(&SearchRequest::new(&first))?;
        times.push(started.elapsed());
    }
    Ok(Report {
        builds,
        search,
        ranking,
        open_and_first_query: latency(times),
        peak_rss_kib: peak_rss_kib(),
    })
}

fn latency(mut times: Vec<Duration>) -> Latency {
    Latency {
        samples: times.len(),
        p50_us: percentile(&mut times, 50.0),
        p99_us: percentile(&mut times, 99.0),
    }
}

fn measure_build(
    name: &str,
    guides: &Path,
    out: &Path,
    runs: usize,
    log: &dyn Fn(&str),
) -> Result<BuildNumbers> {
    let mut times = Vec::new();
    let mut last = None;
    for run in 0..runs.max(1) {
        log(&format!("building {name} ({}/{}) …", run + 1, runs.max(1)));
        let started = Instant::now();
        let corpus = Corpus::load(guides)?;
        let report = build(&corpus, out, &|_| {})?;
        times.push(started.elapsed().as_secs_f64());
        last = Some((corpus.guides.len(), report));
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let (guides, report) = last.expect("at least one run");
    Ok(BuildNumbers {
        set: name.to_string(),
        guides,
        bytes: report.input_bytes,
        median_ms: median * 1000.0,
        guides_per_s: guides as f64 / median,
        mb_per_s: report.input_bytes as f64 / 1e6 / median,
        index_bytes: report.index_bytes,
    })
}

/// Copies every Markdown file of `from` into `scale` subtrees of `to`, giving copies distinct ids.
fn replicate(from: &Path, to: &Path, scale: usize) -> Result<()> {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|e| crate::Error::Io {
            path: from.to_path_buf(),
            error: e.into(),
        })?;
        let is_markdown = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e));
        if !entry.file_type().is_file() || !is_markdown {
            continue;
        }
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let source = std::fs::read_to_string(entry.path()).at(entry.path())?;
        for copy in 0..scale {
            let path = to.join(format!("copy{copy}")).join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).at(parent)?;
            }
            let text = source.replacen("\nid: ", &format!("\nid: copy{copy}/"), 1);
            std::fs::write(&path, text).at(&path)?;
        }
    }
    Ok(())
}

/// Peak resident set size from `/proc/self/status`, where there is one.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
