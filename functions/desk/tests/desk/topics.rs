//! How well questions that ask the same thing are grouped, on a blind-written set of paraphrases
//! in Korean and English (`tests/data/paraphrases-*.toml`: the writer saw the product and its
//! areas, never the guides). Scored by B-cubed precision and recall over wordings; the dev split
//! is what [`desk::insights::topics::MERGE_AT`] was tuned on, the test split is only reported.
//! `cargo test -p desk --test topics -- --nocapture` prints both and a sweep of thresholds on dev.

use std::collections::HashMap;
use std::path::Path;

use desk::insights::topics::{Grouping, MERGE_AT, clusters};
use kb::KnowledgeBase;

#[derive(serde::Deserialize)]
struct Set {
    group: Vec<Group>,
}

#[derive(serde::Deserialize)]
struct Group {
    id: String,
    wordings: Vec<String>,
}

fn load(split: &str) -> Vec<(String, String)> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/paraphrases-{split}.toml"));
    let text = std::fs::read_to_string(&path).expect("paraphrases");
    let set: Set = toml::from_str(&text).expect("paraphrases parse");
    set.group
        .into_iter()
        .flat_map(|g| g.wordings.into_iter().map(move |w| (g.id.clone(), w)))
        .collect()
}

/// B-cubed precision, recall and F1.
fn score(truth: &[(String, String)], found: &[Vec<usize>]) -> (f64, f64, f64) {
    let mut cluster_of = vec![0; truth.len()];
    for (c, members) in found.iter().enumerate() {
        for &m in members {
            cluster_of[m] = c;
        }
    }
    let mut group_size: HashMap<&str, usize> = HashMap::new();
    for (g, _) in truth {
        *group_size.entry(g).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (i, (g, _)) in truth.iter().enumerate() {
        let cluster = &found[cluster_of[i]];
        let right = cluster.iter().filter(|&&j| &truth[j].0 == g).count() as f64;
        precision += right / cluster.len() as f64;
        recall += right / group_size[g.as_str()] as f64;
    }
    let n = truth.len() as f64;
    let (p, r) = (precision / n, recall / n);
    (p, r, 2.0 * p * r / (p + r))
}

fn kb() -> KnowledgeBase {
    KnowledgeBase::from_guides(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/guides"))
        .expect("guides")
}

fn run(kb: Option<&KnowledgeBase>, split: &str, merge_at: f32) -> (f64, f64, f64) {
    run_with(
        kb,
        None,
        split,
        Grouping {
            merge_at,
            ..Grouping::WORDS
        },
    )
}

fn run_with(
    kb: Option<&KnowledgeBase>,
    encoder: Option<&encoder::Encoder>,
    split: &str,
    grouping: Grouping,
) -> (f64, f64, f64) {
    let truth = load(split);
    let texts: Vec<&str> = truth.iter().map(|(_, w)| w.as_str()).collect();
    score(&truth, &clusters(kb, encoder, &texts, grouping))
}

fn encoder() -> Option<encoder::Encoder> {
    let path = std::env::var("E5_MODEL").ok()?;
    Some(encoder::Encoder::open(path.as_ref()).expect("E5_MODEL opens"))
}

#[test]
fn by_meaning_paraphrases_in_both_languages_meet() {
    let Some(encoder) = encoder() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let kb = kb();
    if std::env::var("BATON_SWEEP").is_ok() {
        for meaning in [0.4, 0.5, 0.6] {
            for floor in [0.65, 0.7, 0.75] {
                for merge_at in [0.15, 0.2, 0.25] {
                    let grouping = Grouping {
                        merge_at,
                        meaning,
                        floor,
                    };
                    let (p, r, f) = run_with(Some(&kb), Some(&encoder), "dev", grouping);
                    println!("dev {grouping:?}: precision {p:.3} recall {r:.3} F1 {f:.3}");
                }
            }
        }
    }
    let (_, _, words) = run(Some(&kb), "dev", MERGE_AT);
    let (dp, dr, df) = run_with(Some(&kb), Some(&encoder), "dev", Grouping::MEANING);
    let (tp, tr, tf) = run_with(Some(&kb), Some(&encoder), "test", Grouping::MEANING);
    let (_, _, test_words) = run(Some(&kb), "test", MERGE_AT);
    println!("dev  with meaning: precision {dp:.3} recall {dr:.3} F1 {df:.3} (words {words:.3})");
    println!(
        "test with meaning: precision {tp:.3} recall {tr:.3} F1 {tf:.3} (words {test_words:.3})"
    );
    assert!(
        df > words,
        "meaning does not help on the split it was tuned on"
    );
    assert!(
        tp >= 0.7,
        "test precision {tp:.3}: unrelated questions merged"
    );
}

#[test]
fn paraphrases_are_grouped_in_both_languages() {
    let kb = kb();
    for at in [0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4] {
        let (p, r, f) = run(Some(&kb), "dev", at);
        println!("dev  merge_at {at:.2}: precision {p:.3} recall {r:.3} F1 {f:.3}");
    }
    let (p, r, f) = run(None, "dev", MERGE_AT);
    println!("dev  terms only (no synonyms, no guides): precision {p:.3} recall {r:.3} F1 {f:.3}");
    let (dp, dr, df) = run(Some(&kb), "dev", MERGE_AT);
    let (tp, tr, tf) = run(Some(&kb), "test", MERGE_AT);
    println!("dev  at {MERGE_AT}: precision {dp:.3} recall {dr:.3} F1 {df:.3}");
    println!("test at {MERGE_AT}: precision {tp:.3} recall {tr:.3} F1 {tf:.3}");
    // Every wording alone scores precision 1 and recall of about 0.4 here: grouping must beat it.
    let (_, _, alone) = run(Some(&kb), "test", 2.0);
    println!("test, every wording alone: F1 {alone:.3}");
    assert!(
        tf > alone + 0.1,
        "grouping no better than leaving every wording alone"
    );
    assert!(
        tp >= 0.7,
        "test precision {tp:.3}: unrelated questions merged"
    );
}

#[test]
#[ignore = "prints the dev clusters for tuning by eye: a tool, not a check"]
fn show_dev_clusters() {
    let kb = kb();
    let truth = load("dev");
    let texts: Vec<&str> = truth.iter().map(|(_, w)| w.as_str()).collect();
    for c in clusters(Some(&kb), None, &texts, Grouping::WORDS) {
        println!("--");
        for i in c {
            println!("  [{}] {}", truth[i].0, truth[i].1);
        }
    }
}

/// Copies a directory tree (the guides, to add drafts beside them).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn drafts_of_the_top_groups_pass_kb_check() {
    use desk::insights::drafts::{Set, drafts};
    use desk::insights::topics::{Question, Source, group};
    let kb = kb();
    let questions: Vec<Question> = load("test")
        .into_iter()
        .enumerate()
        .map(|(i, (_, words))| Question {
            words,
            asker: format!("c{i}"),
            source: Source::ZeroResults,
            area: None,
        })
        .collect();
    let topics = group(Some(&kb), None, &questions);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/guides");
    let tmp = tempfile::tempdir().expect("tmp");
    copy_tree(&root, &tmp.path().join("guides"));
    // kb.toml names these beside the guides.
    for file in ["synonyms.toml", "intents.toml", "confidence.json"] {
        std::fs::copy(root.join("..").join(file), tmp.path().join(file)).expect("copy");
    }
    let dir_path = tmp.path().join("guides");
    let config = kb::guide::Config::load(&dir_path).expect("kb.toml");
    let taken: Vec<String> = kb.guides().iter().map(|g| g.guide.id.clone()).collect();
    let stubs = drafts(
        &topics,
        &Set {
            areas: &config.areas,
            categories: &config.categories,
            taken: &taken,
            today: "2026-12-07",
            period: "2026-W49",
        },
        5,
    );
    assert_eq!(stubs.len(), 5);
    for stub in &stubs {
        let path = dir_path.join(&stub.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        assert!(!path.exists(), "{} would overwrite a guide", path.display());
        std::fs::write(&path, &stub.text).expect("write");
    }
    let corpus = kb::Corpus::load(&dir_path).expect("load");
    let problems: Vec<String> = kb::check::check(&corpus)
        .into_iter()
        .filter(|p| p.severity == kb::Severity::Error)
        .map(|p| format!("{}:{}: {}", p.path.display(), p.line, p.message))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}\n{}", stubs[0].text);
    // Drafts are checked but left out of the index and the help center.
    let drafts = kb::check::check(&corpus)
        .into_iter()
        .filter(|p| p.severity == kb::Severity::Warning && p.message.starts_with("a draft"))
        .count();
    assert_eq!(drafts, stubs.len());
    assert!(
        corpus.guides.iter().all(|g| !stubs
            .iter()
            .any(|s| s.path.to_string_lossy().starts_with(&g.id))),
        "no stub is a guide customers are answered from"
    );
    // Every example wording is a question of its draft, in the quoted front matter.
    let front = stubs[0].text.split("---").nth(1).expect("front matter");
    let fields: serde_yaml_ng::Value = serde_yaml_ng::from_str(front).expect("yaml");
    let questions: Vec<String> = fields["questions"]
        .as_sequence()
        .expect("questions")
        .iter()
        .filter_map(|q| q.as_str().map(str::to_string))
        .collect();
    assert_eq!(questions, topics[0].examples);
    println!("{}", stubs[0].text);
}

#[test]
fn a_guide_whose_hand_offs_rose_after_its_edit_is_flagged() {
    use desk::insights::health::Tally;
    use desk::insights::{Period, Thread};
    let kb = kb();
    let entry = kb
        .guides()
        .iter()
        .find(|g| g.guide.updated.is_some())
        .expect("a dated guide");
    let offset = time::UtcOffset::from_hms(9, 0, 0).expect("offset");
    let edited =
        desk::insights::period::day_start(entry.guide.updated.as_deref().expect("updated"), offset)
            .expect("date");
    const DAY: i64 = desk::insights::DAY;
    let thread = |n: i64, opened: i64, handed_off: bool| Thread {
        id: format!("cv_{n}"),
        opened: Some(opened),
        cited: vec![entry.guide.id.clone()],
        handed_off: handed_off.then_some(opened + 1),
        ..Thread::default()
    };
    // Three conversations before the edit, none handed off; three after, two handed off.
    let all = vec![
        thread(1, edited - 3 * DAY, false),
        thread(2, edited - 2 * DAY, false),
        thread(3, edited - DAY, false),
        thread(4, edited + DAY, true),
        thread(5, edited + 2 * DAY, true),
        thread(6, edited + 3 * DAY, false),
    ];
    let period = Period {
        label: "test".into(),
        from: edited,
        to: edited + 7 * DAY,
        offset,
    };
    let this: Vec<&Thread> = all[3..].iter().collect();
    let health = Tally::default().finish(&this, &all, Some(&kb), &period, offset);
    let rise = health
        .rose_after_update
        .iter()
        .find(|r| r.guide == entry.guide.id)
        .expect("flagged");
    assert_eq!((rise.before.conversations, rise.before.handed_off), (3, 0));
    assert_eq!((rise.after.conversations, rise.after.handed_off), (3, 2));
    assert_eq!(health.guides[0].handed_off_after, 2);
    // The period's conversations cited only this guide: every other one is never cited.
    assert_eq!(health.never_cited.len(), kb.guides().len() - 1);
    assert!(!health.never_cited.contains(&entry.guide.id));
}
