//! Search by meaning with the real sentence model (`E5_MODEL`, which `scripts/test` sets):
//! Baton's committed embedding cache is current, a question finds a guide in another language,
//! and meaning reaches the bot's signals. Without `E5_MODEL` the tests say so and pass.

use std::path::{Path, PathBuf};

use kb::dense::Embedder;
use kb::{KnowledgeBase, Lang, SearchRequest};

fn encoder() -> Option<encoder::Encoder> {
    let path = std::env::var("E5_MODEL").ok()?;
    Some(encoder::Encoder::open(path.as_ref()).expect("E5_MODEL opens"))
}

fn guides() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guides")
}

/// The guides at `root` indexed with the model, reading the committed cache (nothing written).
fn index(encoder: &encoder::Encoder, root: &Path) -> KnowledgeBase {
    let embedder = Embedder::reading(encoder, guides().join("embeddings.cache"));
    KnowledgeBase::from_guides_with(root, Some(&embedder)).expect("index")
}

#[test]
fn the_committed_cache_holds_every_section_of_batons_guides() {
    let Some(encoder) = encoder() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let corpus = kb::Corpus::load(&guides()).expect("guides");
    let dir = tempfile::tempdir().expect("tempdir");
    let embedder = Embedder::reading(&encoder, guides().join("embeddings.cache"));
    let report = kb::build_with(&corpus, &dir.path().join("index"), &|_| {}, Some(&embedder))
        .expect("build");
    let embedded = report.embedded.expect("sections embedded");
    assert_eq!(embedded.sections, report.manifest.sections);
    assert_eq!(
        embedded.computed, 0,
        "kb/guides/embeddings.cache is stale: run `kb build` (with the model) and commit the cache"
    );
}

#[test]
fn a_korean_question_finds_an_english_only_guide_by_meaning() {
    let Some(encoder) = encoder() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    // Only the English guides: no Korean word can match them.
    let kb = index(&encoder, &guides().join("en"));
    let question = "비밀번호를 잊어버려서 로그인을 못 하겠어요";
    let meaning = encoder.query(question);
    let words = kb
        .search(&SearchRequest {
            lang: Some(Lang::Ko),
            ..SearchRequest::new(question)
        })
        .expect("search");
    assert!(
        words.hits.is_empty(),
        "words alone found {:?}",
        words.hits.first().map(|h| &h.guide.id)
    );
    let found = kb
        .search(&SearchRequest {
            lang: Some(Lang::Ko),
            meaning: Some(&meaning),
            ..SearchRequest::new(question)
        })
        .expect("search");
    let top: Vec<&str> = found
        .hits
        .iter()
        .take(3)
        .map(|h| h.guide.id.as_str())
        .collect();
    assert!(
        top.iter().any(|id| id.ends_with("password-reset")),
        "{top:?}"
    );
    let signals = found.signals.expect("signals");
    let meaning = signals.meaning.expect("meaning signals");
    assert!(meaning.best >= meaning.top && meaning.top > 0.0);
}

#[test]
fn meaning_reaches_the_signals_and_keeps_the_lexical_ranking_where_words_agree() {
    let Some(encoder) = encoder() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let kb = index(&encoder, &guides());
    assert_eq!(
        kb.dense().expect("vectors").fingerprint(),
        encoder.fingerprint()
    );
    let question = "환불은 며칠 걸려요?";
    let meaning = encoder.query(question);
    let words = kb.search(&SearchRequest::new(question)).expect("search");
    let both = kb
        .search(&SearchRequest {
            meaning: Some(&meaning),
            ..SearchRequest::new(question)
        })
        .expect("search");
    assert_eq!(words.hits[0].guide.id, both.hits[0].guide.id);
    assert!(words.signals.expect("signals").meaning.is_none());
    let m = both.signals.expect("signals").meaning.expect("meaning");
    assert!(m.agrees, "{m:?}");
}

#[test]
fn a_docs_set_without_an_intents_file_reads_the_shared_urgent_intents_by_meaning() {
    let Some(encoder) = encoder() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    // The English guides alone name no intents file: the shared intents are all they have, and
    // the build embedded their examples beside the sections.
    let kb = index(&encoder, &guides().join("en"));
    let intents = kb.intents();
    assert_eq!(intents.fingerprint(), Some(encoder.fingerprint()));
    let text = "the money I sent to my supplier on Friday still has not shown up on their side";
    let by_words: Vec<&str> = intents
        .detect(text, None)
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert!(!by_words.contains(&"money_not_received"), "{by_words:?}");
    let meaning = kb.meaning_of(encoder.query(text));
    let by_meaning: Vec<&str> = intents
        .detect(text, Some(&meaning))
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert!(by_meaning.contains(&"money_not_received"), "{by_meaning:?}");
    // A question the guides answer stays a question.
    let question = "how do I delete my account";
    let meaning = kb.meaning_of(encoder.query(question));
    assert!(
        intents
            .detect(question, Some(&meaning))
            .iter()
            .all(|i| i.kind != kb::intents::IntentKind::Urgent),
        "{question}"
    );
}
