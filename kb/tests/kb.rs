//! Integration tests of the `kb` crate and CLI on small fixture corpora (`tests/fixtures/`):
//! `good` (Baton-style bilingual guides), `foreign` (MDX/TOML/no front matter, as users bring
//! them), `broken` (one of each problem `kb check` reports) and `html` (raw HTML in titles,
//! headings and front matter text).

use std::path::{Path, PathBuf};
use std::process::Command;

use kb::{Corpus, KnowledgeBase, Lang, SearchRequest};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn kb_cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kb"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run kb");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ids(results: &kb::SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.guide.id.as_str()).collect()
}

fn search(kb: &KnowledgeBase, query: &str) -> kb::SearchResults {
    kb.search(&SearchRequest::new(query)).expect("search")
}

#[test]
fn check_reports_every_problem_as_path_line_message() {
    let (code, stdout, stderr) = kb_cli(&["check", "tests/fixtures/broken"]);
    assert_eq!(code, 1, "{stderr}");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.contains(": warning: "))
        .collect();
    let p = "tests/fixtures/broken";
    let expected = [
        format!("{p}/en/a/lang.md:4: unknown language \"jp\" (expected ko or en)"),
        format!("{p}/en/a/unclosed.md:1: front matter opened with `---` on line 1 is never closed"),
        format!("{p}/en/a/yaml.md:4: invalid front matter: did not find expected ',' or ']'"),
        format!("{p}/ko/a/dup2.md:2: duplicate id \"ko/a/dup\" (also {p}/ko/a/dup1.md)"),
        format!("{p}/ko/a/empty.md:1: empty guide: no text after the front matter"),
        format!("{p}/ko/a/links.md:5: unknown area \"b\" (expected one of: a)"),
        format!("{p}/ko/a/links.md:9: updated \"2026-02-30x\" is not a date (YYYY-MM-DD)"),
        format!(
            "{p}/ko/a/links.md:13: broken link \"dup1.md#없음\": no heading with anchor \"없음\" in ko/a/dup"
        ),
        format!("{p}/ko/a/links.md:13: broken link \"nowhere.md\": no such guide"),
        format!("{p}/ko/a/links.md:15: missing image \"../../img/none.png\": no such file"),
        format!(
            "{p}/ko/a/links.md:17: broken link \"#둘째-절\": no heading with anchor \"둘째-절\" in this guide"
        ),
        format!("{p}/ko/a/missing-fields.md:1: missing front matter field \"area\""),
        format!("{p}/ko/a/missing-fields.md:1: missing front matter field \"category\""),
        format!("{p}/ko/a/missing-fields.md:1: missing front matter field \"questions\""),
        format!("{p}/ko/a/missing-fields.md:1: missing front matter field \"tags\""),
        format!("{p}/ko/a/missing-fields.md:1: missing front matter field \"updated\""),
    ];
    assert_eq!(
        errors,
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(stderr.contains("checked 8 guides"), "{stderr}");
    assert!(stderr.contains("16 errors"), "{stderr}");
}

#[test]
fn good_and_foreign_sets_check_clean() {
    for set in ["tests/fixtures/good", "tests/fixtures/foreign"] {
        let (code, stdout, stderr) = kb_cli(&["check", set]);
        assert_eq!((code, stdout.as_str()), (0, ""), "{set}: {stderr}");
    }
}

#[test]
fn a_broken_guide_never_stops_the_build() {
    let out = tempfile::tempdir().expect("tempdir");
    let index = out.path().join("index");
    let (code, stdout, stderr) = kb_cli(&[
        "build",
        "--words-only",
        "tests/fixtures/broken",
        "--out",
        index.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("built"), "{stdout}");
    assert!(
        stderr.contains("yaml.md:4: invalid front matter"),
        "{stderr}"
    );
    assert!(stderr.contains("skipped 3 guides"), "{stderr}");
    let kb = KnowledgeBase::open(&index).expect("open");
    assert_eq!(kb.manifest().guides, 5);
}

#[test]
fn korean_and_english_queries_rank_the_right_guide_first() {
    let kb = KnowledgeBase::from_guides(&fixture("good")).expect("index");
    let cases = [
        ("비밀번호 변경이 안 돼요", "ko/account/password"),
        ("비번 바꾸는 법", "ko/account/password"),
        ("비밀번호변경", "ko/account/password"),
        ("환불은 언제 되나요?", "ko/payments/refund"),
        ("부분 취소", "ko/payments/refund"),
        ("How do I change my password?", "en/account/password"),
        ("refund period", "en/payments/refund"),
        ("money back", "en/payments/refund"),
        ("pasword", "en/account/password"),
    ];
    for (query, best) in cases {
        let results = search(&kb, query);
        assert_eq!(
            ids(&results).first().copied(),
            Some(best),
            "{query}: {:?}",
            ids(&results)
        );
        assert!(
            results.hits.iter().all(|h| h.guide.lang == results.lang),
            "{query}: mixed languages"
        );
    }
    // Synonyms reach across languages inside one language's guides: `password` is in the Korean group.
    let results = kb
        .search(&SearchRequest {
            lang: Some(Lang::Ko),
            ..SearchRequest::new("password")
        })
        .expect("search");
    assert_eq!(ids(&results).first().copied(), Some("ko/account/password"));
}

#[test]
fn results_carry_sections_snippets_and_translations() {
    let kb = KnowledgeBase::from_guides(&fixture("good")).expect("index");
    let results = search(&kb, "신용카드 환불 기간");
    let top = &results.hits[0];
    assert_eq!(
        (
            top.guide.id.as_str(),
            top.guide.title.as_str(),
            top.guide.area.as_deref()
        ),
        ("ko/payments/refund", "결제 취소와 환불", Some("payments"))
    );
    assert_eq!(top.guide.translation.as_deref(), Some("en/payments/refund"));
    assert_eq!(top.sections[0].anchor, "환불-기간");
    assert_eq!(
        top.sections[0]
            .snippet
            .as_ref()
            .expect("snippet")
            .marked("[", "]"),
        "체크카드는 3영업일, [신용카드는] 다음 달 청구서에서 빠집니다."
    );
    assert!(top.score > 0.0);
}

#[test]
fn language_and_area_filters() {
    let kb = KnowledgeBase::from_guides(&fixture("good")).expect("index");
    let request = SearchRequest {
        lang: Some(Lang::En),
        area: Some("payments"),
        ..SearchRequest::new("password refund")
    };
    let results = kb.search(&request).expect("search");
    assert_eq!(ids(&results), ["en/payments/refund"]);
    let request = SearchRequest {
        area: Some("no-such-area"),
        ..SearchRequest::new("refund")
    };
    assert!(kb.search(&request).expect("search").hits.is_empty());
}

#[test]
fn foreign_markdown_is_understood_without_leaks() {
    let corpus = Corpus::load(&fixture("foreign")).expect("load");
    let langs: Vec<(&str, Lang, &str)> = corpus
        .guides
        .iter()
        .map(|g| (g.id.as_str(), g.lang, g.title.as_str()))
        .collect();
    assert_eq!(
        langs,
        [
            ("en/guides/deploy", Lang::En, "Deploy your site"),
            ("ko/guides/deploy", Lang::Ko, "사이트 배포하기"),
            ("notes/intro", Lang::Ko, "시작하기")
        ]
    );
    let all_text: String = corpus
        .guides
        .iter()
        .flat_map(|g| {
            g.sections
                .iter()
                .map(|s| format!("{} {}\n", s.heading, s.text))
        })
        .collect();
    for leak in [
        "import", "export", "draft", "Steps", "TabItem", "comment", ":::", "{{", "Since", "<",
        "alert",
    ] {
        assert!(!all_text.contains(leak), "{leak:?} leaked into: {all_text}");
    }
    for kept in [
        "Run the build command once locally.",
        "Push your repository.",
        "npm run build",
        "빌드 명령을 먼저 실행하세요.",
    ] {
        assert!(all_text.contains(kept), "{kept:?} missing from: {all_text}");
    }
    let kb = KnowledgeBase::from_guides(&fixture("foreign")).expect("index");
    let results = search(&kb, "환경 변수 설정");
    assert_eq!(ids(&results).first().copied(), Some("ko/guides/deploy"));
    let snippet = &results.hits[0].sections[0]
        .snippet
        .as_ref()
        .expect("snippet")
        .text;
    assert!(
        !snippet.contains('<') && !snippet.contains("import"),
        "{snippet}"
    );
}

#[test]
fn raw_html_in_titles_and_headings_is_dropped_and_warned_about() {
    let corpus = Corpus::load(&fixture("html")).expect("load");
    assert!(corpus.problems.is_empty(), "{:?}", corpus.problems);
    let ko = &corpus.guides[1];
    assert_eq!(
        (ko.id.as_str(), ko.title.as_str()),
        ("ko/payments/refund", "환불 안내")
    );
    assert_eq!(ko.questions, ["환불은 언제 되나요?"]);
    assert_eq!(ko.tags, ["환불", "카드"]);
    assert_eq!(
        ko.description.as_deref(),
        Some("카드 결제를 취소하고 환불받는 방법")
    );
    let en = &corpus.guides[0];
    assert_eq!(en.title, "Refunds");
    let headings = |g: &kb::Guide| -> Vec<(String, String)> {
        g.sections
            .iter()
            .map(|s| (s.heading.clone(), s.anchor.clone()))
            .collect()
    };
    assert_eq!(
        headings(ko),
        [
            (String::new(), String::new()),
            ("환불 기간".into(), "환불-기간".into())
        ]
    );
    assert_eq!(
        headings(en),
        [
            ("Refunds".into(), "refunds".into()),
            ("Refund period (cards)".into(), "refund-period-cards".into())
        ]
    );

    // Warnings, not errors: the set checks (exit 0), and the same-page links to the plain-text
    // anchors are not broken.
    let (code, stdout, stderr) = kb_cli(&["check", "tests/fixtures/html"]);
    assert_eq!(code, 0, "{stderr}");
    let p = "tests/fixtures/html";
    let end = "only its text is indexed";
    let expected = [
        format!("{p}/en/payments/refund.md:1: warning: heading contains raw HTML (<img>); {end}"),
        format!("{p}/en/payments/refund.md:5: warning: heading contains raw HTML (<span>); {end}"),
        format!("{p}/ko/payments/refund.md:3: warning: title contains raw HTML (<script>); {end}"),
        format!("{p}/ko/payments/refund.md:6: warning: a tag contains raw HTML (<i>); {end}"),
        format!("{p}/ko/payments/refund.md:7: warning: a question contains raw HTML (<b>); {end}"),
        format!("{p}/ko/payments/refund.md:9: warning: description contains raw HTML (<u>); {end}"),
        format!("{p}/ko/payments/refund.md:14: warning: heading contains raw HTML (<img>); {end}"),
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected, "{stdout}");
    assert!(stderr.contains("0 errors, 7 warnings"), "{stderr}");

    let kb = KnowledgeBase::from_guides(&fixture("html")).expect("index");
    for (query, best) in [
        ("환불 기간", "ko/payments/refund"),
        ("환불 언제", "ko/payments/refund"),
        ("refund period", "en/payments/refund"),
    ] {
        let results = search(&kb, query);
        assert_eq!(ids(&results).first().copied(), Some(best), "{query}");
        let json = serde_json::to_string(&results).expect("json");
        assert!(!json.contains('<'), "{query}: {json}");
    }
    let ko_hit = &search(&kb, "환불 기간").hits[0];
    assert_eq!(ko_hit.guide.title, "환불 안내");
    assert_eq!(
        (
            ko_hit.sections[0].heading.as_str(),
            ko_hit.sections[0].anchor.as_str()
        ),
        ("환불 기간", "환불-기간")
    );
    for entry in kb.guides() {
        assert!(!entry.guide.title.contains('<'), "{}", entry.guide.title);
        for section in &entry.sections {
            assert!(!section.heading.contains('<'), "{}", section.heading);
        }
    }
    // What was inside the tags never reached the index either.
    for query in ["alert", "onerror", "script", "onclick"] {
        for lang in Lang::ALL {
            let request = SearchRequest {
                lang: Some(lang),
                ..SearchRequest::new(query)
            };
            let hits = kb.search(&request).expect("search").hits;
            assert!(
                hits.is_empty(),
                "{query} ({lang}) found {:?}",
                hits[0].guide.id
            );
        }
    }
}

#[test]
fn hostile_queries_return_results_or_nothing() {
    let kb = KnowledgeBase::from_guides(&fixture("good")).expect("index");
    let long = "비밀번호 ".repeat(3000);
    let hostile = [
        "",
        "   ",
        "\"",
        "\"unbalanced",
        "AND(",
        "OR )",
        "*",
        "?",
        "title:password",
        "client:load",
        "😀🔥",
        "비밀번호😀password",
        "\u{0}\u{1}\u{1b}[31m",
        "NOT NOT NOT",
        "-",
        "+password",
        "a".repeat(10_000).leak(),
        long.as_str(),
        "Ｐａｓｓｗｏｒｄ",
        "ｶﾀｶﾅ",
    ];
    for query in hostile {
        let results = search(&kb, query);
        assert!(results.hits.len() <= 10);
    }
    let results = search(&kb, &long);
    assert_eq!(
        results.notices,
        ["query truncated to its first 256 characters"]
    );
    assert_eq!(ids(&results).first().copied(), Some("ko/account/password"));
    assert_eq!(
        ids(&search(&kb, "Ｐａｓｓｗｏｒｄ")).first().copied(),
        Some("en/account/password")
    );
    assert_eq!(
        ids(&search(&kb, "title:password")).first().copied(),
        Some("en/account/password")
    );
}

#[test]
fn index_opens_read_only_without_writing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    let corpus = Corpus::load(&fixture("good")).expect("load");
    kb::build(&corpus, &index, &|_| {}).expect("build");
    let listing = |p: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(p)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listing(&index);
    assert!(!before.iter().any(|n| n.contains("lock")), "{before:?}");
    for entry in std::fs::read_dir(&index).expect("list") {
        let mode = entry
            .expect("entry")
            .metadata()
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o444, 0o444, "index files must be world-readable");
    }
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let kb = KnowledgeBase::open(&index).expect("open read-only");
    assert_eq!(
        ids(&search(&kb, "refund")).first().copied(),
        Some("en/payments/refund")
    );
    drop(kb);
    assert_eq!(
        listing(&index),
        before,
        "opening and searching wrote to the index directory"
    );
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
}

#[test]
fn builds_are_deterministic_and_staleness_is_detected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let guides = dir.path().join("guides");
    copy_dir(&fixture("good"), &guides);
    let corpus = Corpus::load(&guides).expect("load");
    let first = kb::build(&corpus, &dir.path().join("a"), &|_| {}).expect("build a");
    let second = kb::build(
        &Corpus::load(&guides).expect("load"),
        &dir.path().join("b"),
        &|_| {},
    )
    .expect("build b");
    assert_eq!(first.manifest.content_hash, second.manifest.content_hash);
    assert_eq!((first.manifest.guides, first.manifest.sections), (4, 12));
    let a = KnowledgeBase::open(&dir.path().join("a")).expect("open a");
    let b = KnowledgeBase::open(&dir.path().join("b")).expect("open b");
    for query in ["비밀번호", "refund", "환불 기간"] {
        let ra: Vec<(String, f32)> = search(&a, query)
            .hits
            .into_iter()
            .map(|h| (h.guide.id, h.score))
            .collect();
        let rb: Vec<(String, f32)> = search(&b, query)
            .hits
            .into_iter()
            .map(|h| (h.guide.id, h.score))
            .collect();
        assert_eq!(ra, rb, "{query}");
    }
    assert!(!kb::Manifest::is_stale(&dir.path().join("a"), &corpus));
    let path = guides.join("en/payments/refund.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("3 business days", "2 business days")).expect("write");
    assert!(kb::Manifest::is_stale(
        &dir.path().join("a"),
        &Corpus::load(&guides).expect("load")
    ));
    assert!(kb::Manifest::is_stale(&dir.path().join("missing"), &corpus));
    // Rebuilding over an existing index replaces it.
    kb::build(
        &Corpus::load(&guides).expect("load"),
        &dir.path().join("a"),
        &|_| {},
    )
    .expect("rebuild");
    assert!(!kb::Manifest::is_stale(
        &dir.path().join("a"),
        &Corpus::load(&guides).expect("load")
    ));
}

#[test]
fn opening_a_missing_or_foreign_index_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let error = KnowledgeBase::open(dir.path()).expect_err("no index");
    assert!(
        error
            .to_string()
            .contains("no index here (manifest.json missing): run kb build"),
        "{error}"
    );
    std::fs::write(
        dir.path().join("manifest.json"),
        r#"{"schema_version":999}"#,
    )
    .expect("write");
    assert!(KnowledgeBase::open(dir.path()).is_err());
    let error = Corpus::load(&dir.path().join("nowhere")).expect_err("no guides");
    assert!(error.to_string().contains("nowhere"), "{error}");
}

#[test]
fn eval_numbers_equal_hand_computed_values() {
    // ko-1: best answer first → R@1 1, R@5 1, MRR 1, nDCG 1.
    // ko-2: grades password 2, refund 1 (second listed). "부분 취소" is only in the refund guide →
    //       ranking [refund]: R@1 = 1/1 (a relevant guide is first), R@5 = 1/2, MRR = 1,
    //       DCG = 1/log2(2) = 1, IDCG = 3 + 1/log2(3) → nDCG = 1 / (3 + 0.6309298) = 0.2754.
    // en-1: best first → all 1. en-2: nothing found → all 0.
    let (code, stdout, stderr) = kb_cli(&[
        "eval",
        "--words-only",
        "--guides",
        "tests/fixtures/good",
        "--queries",
        "tests/fixtures/good-queries.jsonl",
        "--json",
        "--repeat",
        "1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let mean = |lang: &str, metric: &str| {
        report["languages"][lang]["mean"][metric]
            .as_f64()
            .expect("number")
    };
    let ndcg_ko2 = 1.0 / (3.0 + 1.0 / 3f64.log2());
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(mean("ko", "recall_1"), 1.0));
    assert!(close(mean("ko", "recall_5"), 0.75));
    assert!(close(mean("ko", "mrr"), 1.0));
    assert!(
        close(mean("ko", "ndcg"), (1.0 + ndcg_ko2) / 2.0),
        "{}",
        mean("ko", "ndcg")
    );
    assert!(close(mean("en", "recall_1"), 0.5));
    assert!(close(mean("en", "ndcg"), 0.5));
    assert!(close(
        report["overall"]["mean"]["recall_5"]
            .as_f64()
            .expect("number"),
        0.625
    ));
    assert_eq!(
        report["queries"][1]["ranking"],
        serde_json::json!(["ko/payments/refund"])
    );
}

#[test]
fn cli_search_prints_grouped_results_and_json() {
    let (code, stdout, stderr) =
        kb_cli(&["search", "환불 기간", "--guides", "tests/fixtures/good"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("1. 결제 취소와 환불  [ko/payments/refund]  score "),
        "{stdout}"
    );
    assert!(stdout.contains("§ 환불 기간 #환불-기간"), "{stdout}");
    let (code, stdout, _) = kb_cli(&[
        "search",
        "password",
        "--guides",
        "tests/fixtures/good",
        "--lang",
        "en",
        "--json",
        "--limit",
        "1",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["hits"][0]["id"], "en/account/password");
    assert_eq!(json["hits"].as_array().map(Vec::len), Some(1));
    let (code, _, stderr) = kb_cli(&["search", "x", "--index", "/nonexistent/index"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("kb: index at /nonexistent/index: no index here"),
        "{stderr}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
