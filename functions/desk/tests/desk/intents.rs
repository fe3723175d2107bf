//! The variant tables (`eval/intents.jsonl`: ≥ 50 phrasings per intent and language, and
//! near-misses that must not trigger) read by Baton's intents (kb/intents.toml over
//! kb/shared-intents.toml) through the bot. The dev split is what the patterns (its first 569
//! lines) and the examples (all 932) were written from, so its rates are floors (read by meaning
//! with each message's own phrasing left out); the test split is printed for the record (`cargo
//! test -p desk --test desk intents -- --nocapture`) and not tuned on. The meaning tests need
//! `E5_MODEL` (set by scripts/test).

use std::path::{Path, PathBuf};

use kb::intents::{Case, Intents, Report, cases, measure};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn intents() -> Intents {
    Intents::load(&root().join("kb/intents.toml")).expect("kb/intents.toml")
}

fn table(split: Option<&str>) -> Vec<Case> {
    cases(&root().join("functions/desk/eval/intents.jsonl"), split).expect("intents.jsonl")
}

/// Baton's guides indexed with the model, reading their committed cache (so the sections and
/// the intents' examples are read, not embedded), and each split's messages read
/// by meaning: once per test binary, shared by the tests below.
struct Meanings {
    kb: kb::KnowledgeBase,
    splits: std::collections::HashMap<&'static str, (Vec<Case>, Vec<kb::intents::Meaning>)>,
}

fn meanings() -> Option<&'static Meanings> {
    static MEANINGS: std::sync::OnceLock<Option<Meanings>> = std::sync::OnceLock::new();
    MEANINGS
        .get_or_init(|| {
            let path = std::env::var("E5_MODEL").ok()?;
            let encoder = encoder::Encoder::open(path.as_ref()).expect("E5_MODEL opens");
            let guides = root().join("kb/guides");
            let embedder = kb::dense::Embedder::reading(&encoder, guides.join("embeddings.cache"));
            let kb =
                kb::KnowledgeBase::from_guides_with(&guides, Some(&embedder)).expect("kb/guides");
            let splits = ["dev", "test"]
                .into_iter()
                .map(|split| {
                    let cases = table(Some(split));
                    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
                    let read = kb::dense::queries(&encoder, &texts)
                        .into_iter()
                        .map(|v| kb.meaning_of(v))
                        .collect();
                    (split, (cases, read))
                })
                .collect();
            Some(Meanings { kb, splits })
        })
        .as_ref()
}

/// `split` read by words and meaning with the index's intents (kb/intents.toml over the shared
/// ones, their examples' vectors from the build), or by meaning alone.
fn by_meaning(meanings: &Meanings, alone: bool, split: &str) -> Report {
    let intents = if alone {
        meanings.kb.intents().clone().without_words()
    } else {
        meanings.kb.intents().clone()
    };
    assert!(
        intents.fingerprint().is_some(),
        "the index read its examples' vectors"
    );
    let (cases, read) = &meanings.splits[split];
    measure(&intents, cases, Some(read))
}

/// Asserts every row of `report` at `floor` or more.
fn rows_hold(report: &Report, floor: f32, what: &str) {
    for ((intent, lang), (right, total)) in &report.rows {
        let rate = *right as f32 / *total as f32;
        assert!(
            rate >= floor,
            "{what}: {intent} {lang}: {right}/{total}\n{}",
            report.misses.join("\n")
        );
    }
}

#[test]
fn the_dev_variant_tables_hold_their_floors() {
    let report = measure(&intents(), &table(Some("dev")), None);
    println!("dev\n{}", report.table());
    let (right, total) = report
        .rows
        .values()
        .fold((0, 0), |(r, t), (right, total)| (r + right, t + total));
    assert!(total >= 900, "the dev split has {total} messages");
    // Measured 0.990 (563/569) on the phrasings the patterns were written from; with the 363
    // written later for examples (blind, and kept apart from the test split's near-duplicates),
    // 0.870 (811/932); with 505 more written blind the same way, 0.757 (1088/1437), every row
    // 0.54 or more: the patterns were never fitted to the later lines, and are not now.
    assert!(
        right as f32 / total as f32 >= 0.74,
        "dev {right}/{total}\n{}",
        report.misses.join("\n")
    );
    for ((intent, lang), (right, total)) in &report.rows {
        let rate = *right as f32 / *total as f32;
        assert!(
            rate >= 0.53,
            "{intent} {lang}: {right}/{total}\n{}",
            report.misses.join("\n")
        );
    }
}

#[test]
fn every_intent_has_fifty_phrasings_per_language_and_there_are_two_hundred_near_misses() {
    let all = measure(&intents(), &table(None), None);
    for ((intent, lang), (_, total)) in &all.rows {
        let least = if intent == "none" { 100 } else { 50 };
        assert!(*total >= least, "{intent} {lang}: {total} messages");
    }
    let near_misses: usize = all
        .rows
        .iter()
        .filter(|((intent, _), _)| intent == "none")
        .map(|(_, (_, total))| total)
        .sum();
    assert!(near_misses >= 200, "{near_misses} near-misses");
}

#[test]
fn the_test_split_is_reported() {
    let report = measure(&intents(), &table(Some("test")), None);
    println!("test, words (not tuned on)\n{}", report.table());
    assert!(!report.rows.is_empty());
}

#[test]
fn read_by_meaning_the_dev_split_holds_its_floors() {
    let Some(meanings) = meanings() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let report = by_meaning(meanings, false, "dev");
    println!(
        "dev, words and meaning (own phrasing left out)\n{}",
        report.table()
    );
    // Measured 0.738 (account_compromised ko) to 1.00, each example read by the head fitted
    // without its fold (five folds).
    rows_hold(&report, 0.72, "dev by meaning");
    // Meaning alone, without a single pattern: what a team that writes only examples gets.
    let alone = by_meaning(meanings, true, "dev");
    println!("dev, meaning alone\n{}", alone.table());
    // Measured 0.326 (feature_request en) to 0.97: a word or two and follow-ups are left to words.
    rows_hold(&alone, 0.20, "dev by meaning alone");
}

#[test]
fn read_by_meaning_the_test_split_is_reported() {
    let Some(meanings) = meanings() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let report = by_meaning(meanings, false, "test");
    println!("test, words and meaning (not tuned on)\n{}", report.table());
    let alone = by_meaning(meanings, true, "test");
    println!("test, meaning alone (not tuned on)\n{}", alone.table());
    assert!(!report.rows.is_empty());
}

#[test]
fn a_team_without_an_intents_file_has_the_urgent_ones() {
    // Another product's docs name no intents file: the shared ones are all it has.
    let shared = Intents::with_shared("").expect("the shared intents");
    for (text, kind) in [
        (
            "사이트가 접속이 안 돼요 다운됐나요",
            desk::model::UrgentKind::ServiceDown,
        ),
        (
            "someone logged into my account from another country",
            desk::model::UrgentKind::AccountCompromised,
        ),
        ("결제가 두 번 됐어요", desk::model::UrgentKind::ChargedTwice),
        (
            "송금했는데 아직 입금이 안 됐어요",
            desk::model::UrgentKind::MoneyNotReceived,
        ),
        (
            "my customers' payments keep failing at checkout",
            desk::model::UrgentKind::PaymentFailed,
        ),
    ] {
        assert_eq!(
            desk::bot::urgency(&shared, text, None),
            Some(kind),
            "{text}"
        );
    }
}

#[test]
fn the_bot_reads_intents_as_the_table_does() {
    let set = intents();
    assert_eq!(
        desk::bot::urgency(&set, "결제가 계속 두 번씩 빠져요", None),
        Some(desk::model::UrgentKind::ChargedTwice)
    );
    assert!(desk::bot::wants_human(&set, "그냥 사람이랑 얘기할래요"));
    assert_eq!(
        desk::bot::urgency(&set, "안 급해요, 결제 수단 추가하는 법 알려주세요", None),
        None
    );
}

#[test]
fn the_shared_examples_are_the_dev_split() {
    // The shared intents' examples and near-misses are the dev split's phrasings, so a dev line
    // added without its example (or the reverse) is caught here, and no test line is an example.
    let shared = Intents::with_shared("").expect("the shared intents");
    let examples = shared.example_texts();
    for case in table(Some("dev")) {
        let holds = if case.intent == "none" {
            examples.contains(&case.text.as_str())
        } else {
            shared
                .get(&case.intent)
                .is_some_and(|i| i.examples.contains(&case.text))
        };
        assert!(holds, "dev line not among the examples: {}", case.text);
    }
    for case in table(Some("test")) {
        assert!(
            !examples.contains(&case.text.as_str()),
            "a test line is an example: {}",
            case.text
        );
    }
    assert_eq!(examples.len(), table(Some("dev")).len());
}
