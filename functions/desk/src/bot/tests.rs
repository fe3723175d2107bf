use super::*;
use crate::model::UrgentKind;
use kb::intents::Intents;

/// One analysis per message: an earlier question is compared through the terms its bot turn
/// kept, not analysed again (the text below would not read as the same question).
#[test]
fn earlier_questions_are_compared_through_the_terms_their_turn_kept() {
    let question = Message {
        id: "msg_01JAAAAAAAAAAAAAAAAAAAAAA1".into(),
        conversation_id: "cv_01JAAAAAAAAAAAAAAAAAAAAAAA".into(),
        author: Author::Customer,
        text: "전혀 다른 말".into(),
        links: Vec::new(),
        quick_replies: Vec::new(),
        attachments: Vec::new(),
        bot: None,
        key_hash: None,
        mail: None,
        member: None,
        created_at: 0,
    };
    let mut turn = BotTurn::human_requested("환불 계좌".into());
    turn.decision = Decision::Answer;
    turn.terms = vec!["환불".into(), "계좌".into()];
    let reply = Message {
        id: question.reply_id(),
        author: Author::Bot,
        bot: Some(turn),
        ..question.clone()
    };
    let history = [question, reply];
    let terms: BTreeSet<String> = ["환불".to_string(), "계좌".to_string()].into();
    assert!(is_repeat(&terms, &history, 0.6), "the kept terms are read");
    let mut legacy = history.clone();
    if let Some(t) = legacy[1].bot.as_mut() {
        t.terms.clear();
    }
    assert!(
        !is_repeat(&terms, &legacy, 0.6),
        "a turn stored before keeps no terms: its message is analysed"
    );
}

/// Baton's own intents, as `kb/guides/kb.toml` names them.
fn intents() -> Intents {
    Intents::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb/intents.toml"))
        .expect("kb/intents.toml")
}

#[test]
fn urgent_intents_must_name_a_kind_baton_alerts_on() {
    check_intents(&intents()).expect("Baton's intents");
    let game = Intents::with_shared(
        "[[intent]]\nname = \"account_banned\"\nkind = \"urgent\"\nmatch = [\"banned\"]",
    )
    .expect("parses");
    let refused = check_intents(&game).expect_err("an unknown urgent kind");
    assert!(
        refused.contains("\"account_banned\" is not a kind"),
        "{refused}"
    );
}

#[test]
fn detects_people_requests_in_both_languages() {
    let set = intents();
    for text in [
        "상담원 연결",
        "사람이랑 얘기하고 싶어요",
        "상담사 연결해 주세요",
        "talk to a human",
        "Can I speak with someone?",
        "agent please",
    ] {
        assert!(wants_human(&set, text), "{text}");
    }
    for text in ["비밀번호 변경", "user agent string", "how do I add staff"] {
        assert!(!wants_human(&set, text), "{text}");
    }
}

#[test]
fn detects_urgency() {
    let set = intents();
    use UrgentKind::*;
    let cases = [
        ("송금했는데 안 들어왔어요", Some(MoneyNotReceived)),
        ("정산금이 아직 안 들어왔어요", Some(MoneyNotReceived)),
        ("I sent money but it never arrived", Some(MoneyNotReceived)),
        ("결제 오류가 계속 나요", Some(PaymentFailed)),
        ("payment failed at checkout", Some(PaymentFailed)),
        ("두 번 결제됐어요", Some(ChargedTwice)),
        ("I was charged twice", Some(ChargedTwice)),
        ("사이트 접속이 안 돼요", Some(ServiceDown)),
        ("접속이 안 돼요", Some(ServiceDown)),
        ("my store is down", Some(ServiceDown)),
        ("계정이 해킹당한 것 같아요", Some(AccountCompromised)),
        ("결제가 카드로는 계속 두 번씩 빠져요", Some(ChargedTwice)),
        ("접속이 전혀 안 돼요", Some(ServiceDown)),
        ("someone else changed my password", Some(AccountCompromised)),
        ("does two-step verification stop hackers?", None),
        ("두 번째 결제 방법 등록", None),
        ("how do I set up two payment methods", None),
        ("환불은 어떻게 하나요", None),
        ("결제 수단 추가하는 법", None),
    ];
    for (text, kind) in cases {
        assert_eq!(urgency(&set, text, None), kind, "{text}");
    }
}

#[test]
fn categories() {
    let set = intents();
    assert_eq!(
        categorize(&set, "다크 모드 기능 추가해 주세요", Some("store"), None),
        Category::FeatureRequest
    );
    assert_eq!(
        categorize(
            &set,
            "두 번 결제됐어요",
            None,
            Some(UrgentKind::ChargedTwice)
        ),
        Category::BillingPayment
    );
    assert_eq!(
        categorize(&set, "환불 방법", Some("payments"), None),
        Category::BillingPayment
    );
    assert_eq!(
        categorize(&set, "비밀번호 변경", Some("account"), None),
        Category::AccountAccess
    );
    assert_eq!(
        categorize(&set, "STO-5003 오류", Some("store"), None),
        Category::BugError
    );
    assert_eq!(
        categorize(&set, "상품 등록하는 법", Some("store"), None),
        Category::HowTo
    );
}

#[test]
fn feedback_words() {
    use crate::model::Feedback::*;
    let set = intents();
    assert_eq!(feedback(&set, "해결됐어요"), Some(Helpful));
    assert_eq!(feedback(&set, "That solved it"), Some(Helpful));
    assert_eq!(feedback(&set, "도움이 안 됐어요"), Some(NotHelpful));
    assert_eq!(feedback(&set, "그래도 안 돼요"), Some(NotHelpful));
    assert_eq!(feedback(&set, "That didn't help"), Some(NotHelpful));
    assert_eq!(feedback(&set, "환불은 언제 되나요"), None);
}

#[test]
fn excerpts_start_at_the_answer() {
    let section = format!(
        "{}\n비밀번호는 설정에서 바꿉니다.\n다음 줄.",
        "관련 없는 긴 문장입니다. ".repeat(40)
    );
    let e = excerpt(&section, "비밀번호 변경", 60);
    assert!(e.starts_with("비밀번호는 설정에서 바꿉니다."), "{e}");
    assert_eq!(
        excerpt("짧은 안내.\n\n둘째 줄.", "x", 100),
        "짧은 안내.\n둘째 줄."
    );
}
