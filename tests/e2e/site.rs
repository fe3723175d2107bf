//! The static help center (`kb site`) rendered from Baton's guides and from the Astro docs: every
//! page there, every link between them resolving to a written file, hreflang pairs, the sitemap,
//! and the size budgets of what a reader downloads.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use baton_e2e::{repo_root, shared_corpus};
use kb::Corpus;

fn render(guides: &Path) -> (tempfile::TempDir, kb::site::Report, Corpus) {
    let corpus = Corpus::load(guides).expect("load guides");
    let dir = tempfile::tempdir().expect("tempdir");
    let options = kb::site::Options {
        theme: None,
        url: Some("https://help.example.com".into()),
    };
    let report = kb::site::write(&corpus, &dir.path().join("site"), &options).expect("render");
    (dir, report, corpus)
}

/// Every `href`/`src` of a page that points into the site, as a path under the web root.
fn internal_links(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r##"(?:href|src)="(/[^"#?]*)"##).expect("regex");
    re.captures_iter(html)
        .map(|c| c[1].to_string())
        .filter(|p| !p.starts_with("/api/") && !p.starts_with("//"))
        .collect()
}

fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&path[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn gzipped(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip").len()
}

#[test]
fn baton_guides_render_to_a_site_whose_links_all_resolve() {
    let (dir, report, corpus) = render(&repo_root().join("kb/guides"));
    let site = dir.path().join("site");
    assert!(report.pages > corpus.guides.len(), "{report:?}");
    let mut broken = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).expect("page");
        assert!(
            !html.contains("<script>"),
            "no inline script: {}",
            entry.path().display()
        );
        assert!(
            !html.contains(" style="),
            "no inline style: {}",
            entry.path().display()
        );
        for link in internal_links(&html) {
            let target = site.join(decode(link.trim_start_matches('/')));
            let exists = target.is_file() || target.join("index.html").is_file();
            if !exists {
                broken.insert(format!(
                    "{} → {link}",
                    entry.path().strip_prefix(&site).expect("rel").display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    for guide in &corpus.guides {
        assert!(
            site.join(format!("{}.html", guide.id)).is_file(),
            "{}",
            guide.id
        );
    }
    let ko = std::fs::read_to_string(site.join("ko/payments/refund.html")).expect("ko refund");
    assert!(
        ko.contains(r#"hreflang="en" href="https://help.example.com/en/payments/refund.html""#),
        "hreflang to the English page"
    );
    assert!(ko.contains(
        r#"<link rel="canonical" href="https://help.example.com/ko/payments/refund.html">"#
    ));
    assert!(ko.contains("<nav class=\"toc\""), "a table of contents");
    assert!(
        ko.contains("href=\"/en/payments/refund.html\""),
        "the other language's version"
    );
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).expect("sitemap");
    assert_eq!(
        sitemap.matches("<url>").count(),
        report.pages - 2 - 2,
        "every page but the chooser, 404 and the business customers' space (one per language) in the sitemap"
    );
    assert!(
        !sitemap.contains("org.html"),
        "a business customer's space is not indexed"
    );
    assert!(sitemap.contains("hreflang=\"ko\""));
    let robots = std::fs::read_to_string(site.join("robots.txt")).expect("robots");
    assert!(robots.contains("Sitemap: https://help.example.com/sitemap.xml"));
    // Images the guides show are published beside the pages.
    assert!(site.join("files/images/settlement-statement.svg").is_file());
}

/// What a reader downloads, gzipped: the home page with its styles and script; the widget's
/// loader and frame. Budgets: home ≤ 60 KB, widget ≤ 30 KB.
#[test]
fn the_pages_stay_within_their_size_budgets() {
    let (dir, _, _) = render(&repo_root().join("kb/guides"));
    let site = dir.path().join("site");
    let size = |files: &[&str]| -> usize {
        files
            .iter()
            .map(|f| gzipped(&std::fs::read(site.join(f)).expect(f)))
            .sum()
    };
    let home = size(&[
        "ko/index.html",
        "assets/help.css",
        "assets/theme.css",
        "assets/help.js",
        "i18n/ko.json",
    ]);
    let widget = size(&[
        "widget/widget.js",
        "widget/frame.html",
        "widget/chat.js",
        "widget/chat.css",
    ]);
    println!("gzipped: help center home {home} B, widget {widget} B");
    assert!(home <= 60 * 1024, "home {home} B");
    assert!(widget <= 30 * 1024, "widget {widget} B");
}

#[test]
fn astro_docs_render_with_every_guide_a_page() {
    let astro = shared_corpus("astro");
    let started = std::time::Instant::now();
    let (dir, report, corpus) = render(&astro);
    println!(
        "astro site: {} pages, {:.1} MB in {:.2} s (debug build)",
        report.pages,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    for guide in corpus.guides.iter().take(50) {
        let page = dir.path().join("site").join(format!("{}.html", guide.id));
        let html = std::fs::read_to_string(&page).expect("page");
        assert!(html.contains("<h1>"), "{}", guide.id);
    }
}
