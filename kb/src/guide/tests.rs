use std::path::Path;

use super::*;

fn parse(rel: &str, source: &str) -> (Option<Guide>, Vec<(usize, String)>) {
    let mut problems = Vec::new();
    let guide = parse_guide(Path::new(rel), source, &Config::default(), &mut |l, m| {
        problems.push((l, m))
    });
    (guide, problems)
}

#[test]
fn metadata_from_front_matter() {
    let (g, p) = parse(
        "x.md",
        "---\nid: ko/pay/refund\ntitle: 환불\nlang: ko-KR\ntags: [a, b]\nquestions:\n  - 환불 돼요?\nupdated: 2026-10-01\n---\n본문\n",
    );
    let g = g.expect("guide");
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(
        (g.id.as_str(), g.lang, g.title.as_str()),
        ("ko/pay/refund", Lang::Ko, "환불")
    );
    assert_eq!(g.tags, ["a", "b"]);
    assert_eq!(g.updated.as_deref(), Some("2026-10-01"));
    assert_eq!(g.stem(), "pay/refund");
    assert_eq!(g.line_of("questions"), 6);
}

#[test]
fn metadata_without_front_matter() {
    let (g, _) = parse(
        "en/guides/deploy/netlify.mdx",
        "# Deploy to Netlify\n\nText.\n",
    );
    let g = g.expect("guide");
    assert_eq!(
        (g.id.as_str(), g.lang, g.title.as_str()),
        ("en/guides/deploy/netlify", Lang::En, "Deploy to Netlify")
    );
    assert_eq!(g.path_words(), "guides deploy netlify");
    let (g, _) = parse(
        "docs/intro.md",
        "+++\ntitle = \"소개\"\n+++\n한국어로 쓴 문서입니다.\n",
    );
    assert_eq!(g.expect("guide").lang, Lang::Ko);
}

#[test]
fn bad_front_matter_is_reported_with_its_line() {
    let (g, p) = parse("x.md", "---\ntitle: ok\ntags: [unclosed\n---\ntext\n");
    assert!(g.is_none());
    assert_eq!(p.len(), 1);
    assert!(p[0].1.starts_with("invalid front matter:"), "{p:?}");
    let (g, p) = parse("x.md", "---\nlang: jp\n---\ntext\n");
    assert!(g.is_none());
    assert_eq!(
        p,
        [(2, "unknown language \"jp\" (expected ko or en)".to_string())]
    );
}
