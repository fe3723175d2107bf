//! Who sent a mail: proved only by the receiving side (the trusted MTA's
//! `Authentication-Results`, or SES's verdict), never by the From address; a verified
//! customer's conversation takes no unproved mail; an address the team maps to a customer brings
//! their history to a proved mail only.

use desk::Error;
use desk::desk::{Incoming, Received};
use desk::model::{Author, Reason, SplitWhy, Verdict};
use desk::store::Store;

use super::{AUTHSERV, SUPPORT, TestDesk, desk, mail, simple, stored, stored_message};

const CUSTOMER: &str = "Kim Jisu <jisu@corp.example>";

/// A mail as the MTA hands it on: its `Authentication-Results` on top (when `results` is set),
/// and no verdict beside it, so the desk reads the header.
fn through_mta(results: Option<&str>, subject: &str, body: &str, extra: &str) -> Incoming {
    let header = results
        .map(|r| format!("Authentication-Results: {r}\r\n"))
        .unwrap_or_default();
    let mut raw = header.into_bytes();
    raw.extend(simple(CUSTOMER, subject, body, extra));
    Incoming {
        raw,
        recipients: vec![SUPPORT.into()],
        verdict: None,
        raw_key: None,
    }
}

fn proved() -> String {
    format!(
        "{AUTHSERV};\r\n\tdkim=pass header.d=corp.example header.s=s1;\r\n\tspf=pass smtp.mailfrom=corp.example;\r\n\tdmarc=pass (p=reject) header.from=corp.example"
    )
}

/// The case a mail was handed off as.
fn case_of(received: &Received) -> &str {
    match received {
        Received::Stored {
            case_id: Some(case_id),
            ..
        } => case_id,
        other => panic!("handed off: {other:?}"),
    }
}

/// The case of a proved mail from [`CUSTOMER`] that asks for a person.
async fn proved_case(t: &TestDesk, subject: &str) -> String {
    let received = t
        .desk
        .receive_mail(&through_mta(
            Some(&proved()),
            subject,
            "상담원 연결해 주세요",
            "",
        ))
        .await
        .expect("taken");
    case_of(&received).to_string()
}

/// The verdict kept on a stored mail message, and its conversation's customer.
async fn kept(t: &TestDesk, received: &Received) -> (Option<Verdict>, desk::model::Customer) {
    let message = stored_message(t, received).await;
    let conversation_id = stored(received).0;
    let conversation = t
        .store
        .conversation(&conversation_id)
        .await
        .expect("read")
        .expect("the conversation");
    (
        message.mail.expect("a mail part").verdict,
        conversation.customer,
    )
}

#[tokio::test]
async fn a_sender_is_proved_only_by_the_trusted_servers_first_header() {
    let t = desk();
    let ask = "영수증 재발행은 어떻게 하나요?";
    // The MTA's header, DMARC passed: proved.
    let r = t
        .desk
        .receive_mail(&through_mta(Some(&proved()), "영수증", ask, ""))
        .await
        .expect("taken");
    assert_eq!(kept(&t, &r).await.0, Some(Verdict::Proved));
    // No DMARC policy, but the From domain's own DKIM signature verified: proved.
    let dkim = format!("{AUTHSERV}; dkim=pass header.i=@corp.example; dmarc=none");
    let r = t
        .desk
        .receive_mail(&through_mta(Some(&dkim), "영수증 2", ask, ""))
        .await
        .expect("taken");
    assert_eq!(kept(&t, &r).await.0, Some(Verdict::Proved));
    // Signed by someone else's domain, or only SPF: kept and answered, but unverified.
    for unproved in [
        format!("{AUTHSERV}; dkim=pass header.d=mailer.example; spf=pass"),
        format!("{AUTHSERV}; spf=pass smtp.mailfrom=corp.example"),
    ] {
        let r = t
            .desk
            .receive_mail(&through_mta(Some(&unproved), "영수증 3", ask, ""))
            .await
            .expect("taken");
        assert_eq!(
            kept(&t, &r).await.0,
            Some(Verdict::Unverified),
            "{unproved}"
        );
    }
    // A header another server wrote (or the sender forged) proves nothing; the MTA wrote none
    // of its own, so the sender is not proved.
    let forged = "evil.example; dmarc=pass header.from=corp.example";
    let r = t
        .desk
        .receive_mail(&through_mta(Some(forged), "영수증 4", ask, ""))
        .await
        .expect("taken");
    assert_eq!(kept(&t, &r).await.0, Some(Verdict::Unverified));
    // A forged header of the MTA's own name below its real one is not read.
    let real_then_forged = through_mta(
        Some(&format!("{AUTHSERV}; dmarc=fail header.from=corp.example")),
        "영수증 5",
        ask,
        &format!("Authentication-Results: {}\r\n", proved()),
    );
    let r = t.desk.receive_mail(&real_then_forged).await.expect("taken");
    let Received::Stored {
        case_id: Some(case_id),
        answered: false,
        ..
    } = &r
    else {
        panic!("a spoofed sender is quarantined: {r:?}");
    };
    assert_eq!(kept(&t, &r).await.0, Some(Verdict::Spoofed));
    assert_eq!(
        t.desk.case(case_id).await.expect("case").case.reason,
        Reason::Quarantined
    );
}

#[tokio::test]
async fn a_mapped_address_brings_the_customers_history_to_proved_mail_only() {
    let t = desk();
    let agent = "지난달 정산 금액이 이상해요. 상담원 연결 부탁드려요.";
    // 1. A proved first mail: an unverified contact (nobody mapped the address yet).
    let r = t
        .desk
        .receive_mail(&through_mta(Some(&proved()), "정산 문의", agent, ""))
        .await
        .expect("taken");
    let (verdict, customer) = kept(&t, &r).await;
    assert_eq!(verdict, Some(Verdict::Proved));
    assert!(!customer.verified);
    let Received::Stored {
        case_id: Some(first_case),
        conversation_id: first_conversation,
        ..
    } = r
    else {
        panic!("handed off: {r:?}");
    };

    // Bad mappings are refused: an id that is personal data, a case that did not come by mail.
    for (id, bad) in [
        (first_case.as_str(), "jisu@corp.example"),
        (first_case.as_str(), "010-1234-5678"),
        (first_case.as_str(), ""),
    ] {
        assert!(
            matches!(
                t.desk.link_contact(id, "minji", Some(bad)).await,
                Err(Error::Invalid(_))
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        t.desk
            .link_contact("case_nope", "minji", Some("cust-42"))
            .await,
        Err(Error::NotFound { .. } | Error::Invalid(_))
    ));

    // 2. The operator maps the address: the case was opened by a proved mail, so it becomes
    //    the customer's now.
    let linked = t
        .desk
        .link_contact(&first_case, "minji", Some("cust-42"))
        .await
        .expect("linked");
    assert!(linked.joined);
    assert_eq!(linked.contact.address, "jisu@corp.example");
    assert_eq!(linked.case.customer.id, "cust-42");
    assert!(linked.case.customer.verified);
    let conversation = t
        .store
        .conversation(&first_conversation)
        .await
        .expect("read")
        .expect("conversation");
    assert!(conversation.customer.verified && conversation.customer.id == "cust-42");
    t.desk
        .resolve(&first_case, "minji", "정산 확인", None, None)
        .await
        .expect("resolved");

    // 3. A new proved mail from the address starts as cust-42, with the earlier case.
    let r = t
        .desk
        .receive_mail(&through_mta(Some(&proved()), "세금계산서", agent, ""))
        .await
        .expect("taken");
    let (_, customer) = kept(&t, &r).await;
    assert!(customer.verified && customer.id == "cust-42");
    let Received::Stored {
        case_id: Some(second_case),
        conversation_id: second_conversation,
        ..
    } = &r
    else {
        panic!("handed off: {r:?}");
    };
    let view = t.desk.case(second_case).await.expect("case");
    assert_eq!(
        view.case
            .history
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        [first_case.as_str()],
        "the customer's earlier case is beside the new one"
    );

    // 4. The same address unproved, replying into that verified thread by its token address:
    //    it does not speak as cust-42; a new conversation says why.
    let token = t
        .desk
        .mail_settings()
        .expect("mail")
        .key
        .reply_address(SUPPORT, second_conversation);
    let mut reply = through_mta(None, "Re: 세금계산서", "계좌를 이걸로 바꿔 주세요", "");
    reply.recipients = vec![token];
    let r = t.desk.receive_mail(&reply).await.expect("taken");
    let conversation_id = stored(&r).0;
    assert_ne!(&conversation_id, second_conversation);
    let (verdict, customer) = kept(&t, &r).await;
    assert_eq!(
        verdict,
        Some(Verdict::Unverified),
        "no header of the MTA's own"
    );
    assert!(!customer.verified && customer.id != "cust-42");
    let message = stored_message(&t, &r).await;
    let split = message.mail.and_then(|m| m.split).expect("says why");
    assert_eq!(
        (split.from.as_str(), split.why),
        (second_conversation.as_str(), SplitWhy::Unverified)
    );
    // And a proved reply joins it.
    let mut reply = through_mta(
        Some(&proved()),
        "Re: 세금계산서",
        "감사합니다, 확인했어요",
        "",
    );
    reply.recipients = vec![
        t.desk
            .mail_settings()
            .expect("mail")
            .key
            .reply_address(SUPPORT, second_conversation),
    ];
    let r = t.desk.receive_mail(&reply).await.expect("taken");
    assert_eq!(&stored(&r).0, second_conversation);

    // 5. Taken back: the next proved mail is an unverified contact again, and the record says
    //    who took it back.
    let unlinked = t
        .desk
        .link_contact(second_case, "jisu-op", None)
        .await
        .expect("taken back");
    assert!(!unlinked.joined);
    assert_eq!(
        (unlinked.contact.customer_id, unlinked.contact.by.as_str()),
        (None, "jisu-op")
    );
    let r = t
        .desk
        .receive_mail(&through_mta(Some(&proved()), "새 문의", agent, ""))
        .await
        .expect("taken");
    assert!(!kept(&t, &r).await.1.verified);
}

#[tokio::test]
async fn an_unproved_sender_is_never_the_mapped_customer() {
    let t = desk();
    let agent = "환불 요청합니다. 상담원 연결해 주세요.";
    let r = t
        .desk
        .receive_mail(&through_mta(None, "환불", agent, ""))
        .await
        .expect("taken");
    let case_id = case_of(&r);
    // The operator maps the address; the case was opened by an unproved mail, so it stays an
    // unverified contact's (the mapping applies to the next proved mail).
    let linked = t
        .desk
        .link_contact(case_id, "minji", Some("cust-7"))
        .await
        .expect("linked");
    assert!(!linked.joined && !linked.case.customer.verified);
    // Anyone writing From that address without proof is still nobody in particular.
    let r = t
        .desk
        .receive_mail(&through_mta(None, "계좌 변경", agent, ""))
        .await
        .expect("taken");
    let (verdict, customer) = kept(&t, &r).await;
    assert_eq!(verdict, Some(Verdict::Unverified));
    assert!(!customer.verified && customer.id != "cust-7");
    let transcript = t.store.messages(&stored(&r).0).await.expect("messages");
    assert!(transcript.iter().any(|m| m.author == Author::Customer));
    // Proved, it is the customer.
    let r = t
        .desk
        .receive_mail(&through_mta(Some(&proved()), "계좌 변경 2", agent, ""))
        .await
        .expect("taken");
    let (_, customer) = kept(&t, &r).await;
    assert!(customer.verified && customer.id == "cust-7");
}

#[tokio::test]
async fn a_message_id_planted_by_someone_else_never_swallows_the_real_mail() {
    let t = desk();
    // Planted with the real sender's address forged as From, and a body of its own.
    let planted = "From: minji@gmail.com\r\nTo: support@baton.example\r\nSubject: hi\r\nMessage-ID: <CAF-real-1@mail.gmail.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n먼저 보낸 메일\r\n";
    let first = t
        .desk
        .receive_mail(&mail(planted.as_bytes().to_vec()))
        .await
        .expect("taken");
    let real = "From: minji@gmail.com\r\nTo: support@baton.example\r\nSubject: 환불 문의\r\nMessage-ID: <CAF-real-1@mail.gmail.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n환불이 아직 안 들어왔어요\r\n";
    let second = t
        .desk
        .receive_mail(&mail(real.as_bytes().to_vec()))
        .await
        .expect("taken");
    assert_ne!(stored(&first).0, stored(&second).0, "{second:?}");
    assert!(
        stored_message(&t, &second)
            .await
            .text
            .contains("환불이 아직")
    );
    // The real mail delivered again is still one mail.
    let again = t
        .desk
        .receive_mail(&mail(real.as_bytes().to_vec()))
        .await
        .expect("taken");
    assert!(matches!(again, Received::Duplicate { .. }), "{again:?}");
}

#[tokio::test]
async fn two_from_addresses_are_never_proved_and_a_mapped_case_is_not_taken_twice() {
    let t = desk();
    // DMARC passed for the first From; the desk reads the second.
    let raw = format!(
        "Authentication-Results: {AUTHSERV}; dkim=pass header.d=corp.example; dmarc=pass header.from=corp.example\r\nFrom: mallory@corp.example\r\n{}",
        String::from_utf8(simple(CUSTOMER, "두 발신자", "상담원 연결해 주세요", ""))
            .expect("utf-8")
    );
    let r = t
        .desk
        .receive_mail(&Incoming {
            raw: raw.into_bytes(),
            recipients: vec![SUPPORT.into()],
            verdict: None,
            raw_key: None,
        })
        .await
        .expect("taken");
    assert_eq!(kept(&t, &r).await.0, Some(Verdict::Unverified));

    // Two operators map one proved case to two customers: the second is told, not obeyed.
    let case_id = proved_case(&t, "매핑").await;
    let case_id = case_id.as_str();
    assert!(
        t.desk
            .link_contact(case_id, "minji", Some("cust-1"))
            .await
            .expect("linked")
            .joined
    );
    assert!(matches!(
        t.desk
            .link_contact(case_id, "jisu-op", Some("cust-2"))
            .await,
        Err(Error::Conflict(_))
    ));
}

#[tokio::test]
async fn the_widget_never_resumes_a_conversation_held_by_mail() {
    const SECRET: &str = "mail-identity-test-secret-0123456789";
    let mut t = desk();
    let config = desk::config::Config::from_pairs(
        desk::config::Deployment::Local,
        [(desk::config::IDENTITY_SECRETS, SECRET)],
    )
    .expect("config");
    t.desk = t
        .desk
        .clone()
        .with_identity(desk::identity::Verifier::from_config(&config).expect("verifier"));
    let case_id = proved_case(&t, "위젯").await;
    let case_id = case_id.as_str();
    assert!(
        t.desk
            .link_contact(case_id, "minji", Some("cust-77"))
            .await
            .expect("linked")
            .joined
    );
    // The customer signs in on the site: their open case is the mail one, and what the widget
    // typed into it would be mailed to the thread's address. They start their own instead.
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({"sub": "cust-77", "aud": "baton", "exp": desk::model::now() / 1000 + 600}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).expect("key"),
    )
    .expect("sign");
    assert!(matches!(
        t.desk.resume(&token).await,
        Err(Error::NotFound { .. })
    ));
}

/// A proved mail from a domain the team verified as an organisation's is that organisation's
/// conversation (and its case); an unproved one from the same domain is nobody's.
#[tokio::test]
async fn a_proved_mail_from_an_organisations_domain_is_its_conversation() {
    let t = desk();
    t.desk
        .save_organisation(
            "minji",
            desk::desk::OrganisationInput {
                id: "corp".into(),
                name: "Corp Korea".into(),
                plan: None,
                domains: vec!["Corp.Example".into()],
                operators: Vec::new(),
                invited: Vec::new(),
            },
        )
        .await
        .expect("recorded");
    let case_id = proved_case(&t, "정산 문의").await;
    let case = t.store.case(&case_id).await.expect("read").expect("case");
    assert_eq!(case.organisation.as_deref(), Some("corp"));
    let unproved = t
        .desk
        .receive_mail(&through_mta(None, "다른 문의", "상담원 연결해 주세요", ""))
        .await
        .expect("taken");
    let case = t
        .store
        .case(case_of(&unproved))
        .await
        .expect("read")
        .expect("case");
    assert_eq!(
        case.organisation, None,
        "the From address alone proves nothing"
    );
}
