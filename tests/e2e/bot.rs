//! The bot on the blind, labelled conversations (`functions/desk/eval/`): Baton's own guides
//! (the shipped confidence model was fit on their dev split) and the Astro docs, which it was not
//! fit on. The dev-split rates are floors just under what `baton eval` measured; the test splits
//! are only reported (`baton eval`, see docs/bot-quality.md).

use baton_e2e::{repo_root, shared_corpus};
use desk::bot::Policy;
use desk::eval::{self, Report};
use kb::KnowledgeBase;

fn dev_report(guides: &std::path::Path, turns: &str) -> Report {
    let kb = KnowledgeBase::from_guides(guides).expect("index");
    dev_report_of(&kb, turns, None)
}

fn dev_report_of(kb: &KnowledgeBase, turns: &str, encoder: Option<&encoder::Encoder>) -> Report {
    let conversations =
        eval::load(&repo_root().join("functions/desk/eval").join(turns)).expect("labelled turns");
    let outcomes =
        eval::run(kb, &Policy::default(), &conversations, Some("dev"), encoder).expect("run");
    let report = eval::report(&outcomes);
    println!("{}", report.table());
    report
}

fn self_served(report: &Report, lang: &str) -> f32 {
    report.rate("answerable", lang, "answered_right")
        + report.rate("answerable", lang, "offered_right")
}

#[test]
fn on_batons_guides_the_bot_answers_right_rarely_wrong_and_hands_off_what_no_guide_answers() {
    let report = dev_report(&repo_root().join("kb/guides"), "kkachi.jsonl");
    // Measured on the dev split (scripts/calibrate): self-served (answered or offered the right
    // guide) 0.77 en / 0.66 ko, wrong answers 0.00 / 0.02, out of scope handed off 0.83 / 0.86 and
    // answered 0.00 / 0.03, urgent and human recall 1.00, no false alarms, ECE 0.083.
    for (lang, served, handed_off) in [("en", 0.72, 0.70), ("ko", 0.64, 0.84)] {
        assert!(
            self_served(&report, lang) >= served,
            "{lang} self-served\n{}",
            report.table()
        );
        assert!(
            report.rate("answerable", lang, "answered_wrong") <= 0.05,
            "{lang} wrong answers"
        );
        assert!(
            report.rate("out_of_scope", lang, "handed_off") >= handed_off,
            "{lang} out of scope"
        );
        assert!(
            report.rate("out_of_scope", lang, "answered_wrong") <= 0.07,
            "{lang} out of scope answered"
        );
        assert!(
            report.rate("urgent", lang, "recognized") >= 0.9,
            "{lang} urgent recall"
        );
        assert!(
            report.rate("human", lang, "recognized") >= 0.9,
            "{lang} human recall"
        );
        assert!(
            report.rate("lookalike", lang, "false_alarm") <= 0.1,
            "{lang} false alarms"
        );
    }
    let ece = report.calibration.as_ref().expect("calibration").ece;
    assert!(ece <= 0.10, "ECE {ece}");
}

#[test]
fn with_the_sentence_model_the_bot_answers_more_and_no_more_wrongly() {
    let Some((kb, encoder)) = baton_e2e::baton_kb_with_meaning() else {
        eprintln!("skipped: E5_MODEL is set by scripts/test");
        return;
    };
    let report = dev_report_of(&kb, "kkachi.jsonl", Some(&encoder));
    // Measured on the dev split with the sentence model (scripts/calibrate; the model that
    // reads meaning was fit on this split and Astro's): answered right 0.36 en / 0.45 ko
    // (words only 0.36 / 0.27), self-served 0.83 / 0.81 (0.77 / 0.66), wrong answers 0.00 /
    // 0.02, out of scope handed off 0.73 / 0.81 (0.83 / 0.86).
    for (lang, served, answered, handed_off) in [("en", 0.79, 0.33, 0.70), ("ko", 0.77, 0.42, 0.77)]
    {
        assert!(
            self_served(&report, lang) >= served,
            "{lang} self-served\n{}",
            report.table()
        );
        assert!(
            report.rate("answerable", lang, "answered_right") >= answered,
            "{lang} answered right\n{}",
            report.table()
        );
        assert!(
            report.rate("answerable", lang, "answered_wrong") <= 0.05,
            "{lang} wrong answers"
        );
        assert!(
            report.rate("out_of_scope", lang, "handed_off") >= handed_off,
            "{lang} out of scope"
        );
        assert!(
            report.rate("urgent", lang, "recognized") >= 0.9,
            "{lang} urgent recall"
        );
    }
}

#[test]
fn on_docs_it_was_not_fit_on_the_confidence_still_holds() {
    let report = dev_report(&shared_corpus("astro"), "astro.jsonl");
    // Measured on the dev split: ECE 0.083; wrong answers 0.05 en / 0.00 ko; self-served
    // 0.76 en / 0.30 ko (Korean search puts the right page first for half the questions).
    let ece = report.calibration.as_ref().expect("calibration").ece;
    assert!(ece <= 0.10, "ECE {ece}");
    assert!(
        report.rate("answerable", "en", "answered_wrong") <= 0.12,
        "en wrong answers"
    );
    assert!(
        report.rate("answerable", "ko", "answered_wrong") <= 0.05,
        "ko wrong answers"
    );
    assert!(self_served(&report, "en") >= 0.72, "en self-served");
    assert!(self_served(&report, "ko") >= 0.27, "ko self-served");
    assert!(
        report.rate("out_of_scope", "ko", "handed_off") >= 0.9,
        "ko out of scope"
    );
}

#[test]
fn a_turn_carries_its_probability_the_signals_that_drove_it_and_a_follow_ups_topic() {
    let kb = baton_e2e::baton_kb();
    let policy = Policy::default();
    let first = desk::bot::respond(&kb, &policy, "환불은 며칠 걸려요?", kb::Lang::Ko, &[], None)
        .expect("turn");
    let evidence = first.turn.evidence.as_ref().expect("evidence");
    assert_eq!(evidence.drivers.len(), 3);
    assert!((0.0..=1.0).contains(&first.turn.confidence));
    assert_eq!(first.turn.hits[0].guide, "ko/payments/refund");
    assert!(
        first.turn.confidence >= policy.clarify_at,
        "the refund guide is offered or answered: {:?}",
        first.turn
    );
    let history = [
        desk::model::Message {
            id: "msg_1".into(),
            conversation_id: "conv_1".into(),
            author: desk::model::Author::Customer,
            text: "환불은 며칠 걸려요?".into(),
            links: Vec::new(),
            quick_replies: Vec::new(),
            attachments: Vec::new(),
            bot: None,
            key_hash: None,
            mail: None,
            member: None,
            created_at: 1,
        },
        desk::model::Message {
            id: "msg_1.reply".into(),
            conversation_id: "conv_1".into(),
            author: desk::model::Author::Bot,
            text: first.text.clone(),
            links: Vec::new(),
            quick_replies: Vec::new(),
            attachments: Vec::new(),
            bot: Some(first.turn.clone()),
            key_hash: None,
            mail: None,
            member: None,
            created_at: 2,
        },
    ];
    let follow_up = desk::bot::respond(
        &kb,
        &policy,
        "그럼 체크카드는요?",
        kb::Lang::Ko,
        &history,
        None,
    )
    .expect("turn");
    assert!(
        follow_up
            .turn
            .reasons
            .iter()
            .any(|r| matches!(r, desk::model::Reason::FollowUp { topic } if topic == "환불은 며칠 걸려요?")),
        "{:?}",
        follow_up.turn.reasons
    );
    assert_eq!(
        follow_up.turn.hits[0].guide, "ko/payments/refund",
        "the topic carried over"
    );
}
