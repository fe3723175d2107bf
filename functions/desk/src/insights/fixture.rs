//! A fixed fortnight of events and the report they must give, computed by hand (the comments
//! say how): every event kind, ties, a category with no inquiries this week, events at the
//! week's edges in Asia/Seoul, times within and outside business hours. Run on both stores by
//! the conformance suite. Built only with the `test-suite` feature.

use std::collections::BTreeMap;

use time::UtcOffset;

use super::{Options, Period, Report, WEEK, report};
use crate::events as key;
use crate::hours::Hours;
use crate::model::{Category, Event, EventKind, Millis, new_id, now};
use crate::store::{Commit, Store};

const M: Millis = 60 * 1000;
const H: Millis = 60 * M;
const D: Millis = 24 * H;
const RESET: &str = "ko/account/password-reset";

struct Builder {
    events: Vec<Event>,
}

impl Builder {
    fn push(
        &mut self,
        kind: EventKind,
        conversation: &str,
        at: Millis,
        class: Option<(Category, Option<&str>)>,
        data: &[(&str, &str)],
    ) {
        self.events.push(Event {
            id: new_id("ev"),
            kind,
            at,
            conversation_id: conversation.to_string(),
            category: class.map(|c| c.0),
            area: class.and_then(|c| c.1.map(str::to_string)),
            data: data
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        });
    }

    fn open(&mut self, conversation: &str, at: Millis, customer: &str) {
        self.push(
            EventKind::Open,
            conversation,
            at,
            None,
            &[
                (key::CHANNEL, "web"),
                (key::LANG, "ko"),
                (key::VERIFIED, "true"),
                (key::CUSTOMER, customer),
            ],
        );
    }

    fn turn(&mut self, conversation: &str, at: Millis, decision: &str, c: Category, area: &str) {
        self.push(
            EventKind::BotTurn,
            conversation,
            at,
            Some((c, Some(area))),
            &[(key::DECISION, decision), (key::LANG, "ko")],
        );
    }

    fn cites(&mut self, guide: &str, section: &str) {
        if let Some(turn) = self.events.last_mut() {
            turn.data.insert(key::CITED.into(), guide.into());
            turn.data.insert(key::SECTIONS.into(), section.into());
        }
    }

    fn says(&mut self, words: &str) {
        if let Some(event) = self.events.last_mut() {
            event.data.insert(key::QUESTION.into(), words.into());
        }
    }

    fn handoff(&mut self, cv: &str, at: Millis, reason: &str, c: Category, area: Option<&str>) {
        let (priority, urgency) = match reason.split_once(':') {
            Some((_, kind)) => ("urgent", kind),
            None => ("normal", ""),
        };
        self.push(
            EventKind::Handoff,
            cv,
            at,
            Some((c, area)),
            &[
                (key::REASON, reason),
                (key::PRIORITY, priority),
                (key::URGENCY, urgency),
            ],
        );
    }

    fn by(&mut self, kind: EventKind, cv: &str, at: Millis, operator: &str) {
        self.push(kind, cv, at, None, &[(key::OPERATOR, operator)]);
    }

    fn search(&mut self, at: Millis, query: &str, hits: &str) {
        self.push(
            EventKind::Search,
            "",
            at,
            None,
            &[(key::QUERY, query), (key::HITS, hits)],
        );
    }
}

/// The Seoul offset.
pub fn seoul() -> UtcOffset {
    UtcOffset::from_hms(9, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// Writes the fixture into `store` and returns the report of its main week, with the week.
pub async fn report_of_fixture(store: &dyn Store) -> (Report, Period) {
    // A week that ended more than a week ago, so its follow-up week is in the past too (DynamoDB
    // reads no events from the future).
    let week = Period::last_week(now() - 14 * D, seoul());
    let mon = week.from; // Monday 00:00 in Seoul
    let (tue, wed, thu, fri, sat) = (mon + D, mon + 2 * D, mon + 3 * D, mon + 4 * D, mon + 5 * D);
    let mut b = Builder { events: Vec::new() };
    use Category::*;
    use EventKind::*;

    // cv_1: opened at the week's first millisecond; answered, "helpful": confirmed.
    b.open("cv_1", mon, "c1");
    b.turn("cv_1", mon, "answer", HowTo, "account");
    b.cites(RESET, "ko/account/password-reset#reset");
    b.push(
        Feedback,
        "cv_1",
        mon + M,
        Some((HowTo, Some("account"))),
        &[(key::VERDICT, "helpful"), (key::GUIDE, RESET)],
    );
    // cv_2: answered, then nothing: silent. The same customer asks again the next Monday at
    // 00:00 (cv_n1, the next week's first millisecond): it came back.
    b.open("cv_2", mon + 10 * H, "c2");
    b.turn("cv_2", mon + 10 * H, "answer", BillingPayment, "payments");
    // cv_3: offered guides, "not helpful", left.
    b.open("cv_3", tue + 11 * H, "c3");
    b.turn("cv_3", tue + 11 * H, "clarify", HowTo, "account");
    b.cites(RESET, "ko/account/password-reset#reset");
    b.push(
        Feedback,
        "cv_3",
        tue + 11 * H + M,
        None,
        &[(key::VERDICT, "not_helpful"), (key::GUIDE, RESET)],
    );
    b.says("비밀번호 재설정 메일이 안 와요");
    // cv_4: low confidence on Tuesday noon (within hours): claimed after 10 m, answered after
    // 15 m, resolved after 2 h as a bug, rated 5, reopened the next day.
    let t4 = tue + 12 * H;
    b.open("cv_4", t4 - M, "c4");
    b.turn("cv_4", t4 - M, "handoff", HowTo, "store");
    b.cites("ko/store/open-store", "ko/store/open-store#");
    b.handoff("cv_4", t4, "low_confidence", HowTo, Some("store"));
    b.says("주문 내역 엑셀 다운로드");
    b.by(Claim, "cv_4", t4 + 10 * M, "mina");
    b.by(Reply, "cv_4", t4 + 15 * M, "mina");
    b.push(
        Resolve,
        "cv_4",
        t4 + 2 * H,
        Some((BugError, Some("store"))),
        &[(key::OPERATOR, "mina")],
    );
    b.push(Rating, "cv_4", t4 + 3 * H, None, &[(key::SCORE, "5")]);
    b.push(Reopen, "cv_4", t4 + D, None, &[]);
    // cv_5: urgent (money not received) on Wednesday 20:00 (outside hours): claimed after 30 m,
    // answered after 40 m, resolved after 3 h, rated 2.
    let t5 = wed + 20 * H;
    b.open("cv_5", t5, "c5");
    b.handoff(
        "cv_5",
        t5,
        "urgent:money_not_received",
        BillingPayment,
        Some("transfers"),
    );
    b.by(Claim, "cv_5", t5 + 30 * M, "jun");
    b.by(Reply, "cv_5", t5 + 40 * M, "jun");
    b.push(
        Resolve,
        "cv_5",
        t5 + 3 * H,
        Some((BillingPayment, Some("transfers"))),
        &[],
    );
    b.push(Rating, "cv_5", t5 + 4 * H, None, &[(key::SCORE, "2")]);
    // cv_6: asked for a person at the week's last millisecond (Sunday 23:59:59.999); nobody
    // claimed it.
    b.open("cv_6", week.to - 1, "c6");
    b.handoff(
        "cv_6",
        week.to - 1,
        "human_requested",
        AccountAccess,
        Some("account"),
    );
    // cv_7: customer c1 again on Thursday, same category and area: "solved, thanks".
    b.open("cv_7", thu + 10 * H, "c1");
    b.turn("cv_7", thu + 10 * H, "answer", HowTo, "account");
    b.turn("cv_7", thu + 10 * H + M, "acknowledge", HowTo, "account");
    // cv_8: a person asked for on Friday 09:31, claimed 9 m later, escalated (payment failed)
    // 10 m after that while held: urgent, nobody waited.
    let t8 = fri + 9 * H + 31 * M;
    b.open("cv_8", t8, "c8");
    b.handoff("cv_8", t8, "human_requested", HowTo, Some("payments"));
    b.by(Claim, "cv_8", t8 + 9 * M, "jun");
    b.push(
        Escalate,
        "cv_8",
        t8 + 19 * M,
        None,
        &[(key::URGENCY, "payment_failed")],
    );
    // cv_9: the service is down on Saturday 03:00, no area; never claimed.
    let t9 = sat + 3 * H;
    b.open("cv_9", t9, "c9");
    b.handoff("cv_9", t9, "urgent:service_down", BugError, None);
    // Not about a conversation: ignored by the conversation counts.
    b.push(
        ArticleFeedback,
        "",
        wed,
        None,
        &[
            (key::GUIDE, RESET),
            (key::HELPFUL, "false"),
            (key::SEARCH, "주문 내역 엑셀 다운로드?"),
        ],
    );

    // The week before: three inquiries, one of them a feature request (none this week), one at
    // its last millisecond.
    b.open("cv_p1", mon - 5 * D, "c10");
    b.turn("cv_p1", mon - 5 * D, "answer", HowTo, "account");
    b.open("cv_p2", mon - 1, "c11");
    b.turn("cv_p2", mon - 1, "answer", BillingPayment, "payments");
    b.open("cv_p3", mon - 4 * D, "c12");
    b.turn("cv_p3", mon - 4 * D, "answer", FeatureRequest, "store");
    // Two and three weeks before: the trend.
    b.open("cv_q1", mon - WEEK - 3 * D, "c13");
    b.turn("cv_q1", mon - WEEK - 3 * D, "answer", HowTo, "account");
    b.open("cv_r1", mon - 2 * WEEK - 3 * D, "c14");
    b.turn("cv_r1", mon - 2 * WEEK - 3 * D, "answer", HowTo, "account");
    b.open("cv_r2", mon - 2 * WEEK - 2 * D, "c15");
    b.turn("cv_r2", mon - 2 * WEEK - 2 * D, "answer", BugError, "store");
    // The next week: c2 comes back.
    b.open("cv_n1", week.to, "c2");
    b.turn("cv_n1", week.to, "answer", BillingPayment, "payments");

    // Searches: two words asked twice each (case folded), one with hits, one at the last
    // millisecond; one the millisecond before the week (not counted).
    b.search(mon + H, "환불 계좌 변경", "0");
    b.search(tue + H, "환불 계좌 변경", "0");
    b.search(wed + H, "Refund Account", "0");
    b.search(thu + H, "refund account", "0");
    b.search(fri + H, "비밀번호", "3");
    b.search(week.to - 1, "otp", "0");
    // Found guides, none the bot would offer (probability under its clarify_at): a weak search.
    b.search(sat + H, "쿠폰 대량 발행", "3");
    if let Some(weak) = b.events.last_mut() {
        weak.data.insert(key::PROBABILITY.into(), "0.120".into());
    }
    b.search(mon - 1, "이전 주", "0");

    for chunk in b.events.chunks(20) {
        store
            .commit(&Commit {
                events: chunk.to_vec(),
                ..Commit::default()
            })
            .await
            .expect("fixture events");
    }
    let hours = Hours::parse(Some("mon-fri 09:00-18:00"), None, seoul())
        .expect("hours")
        .expect("set");
    let options = Options {
        hours: Some(hours),
        now: week.to + 8 * D,
        kb: None,
        encoder: None,
    };
    (report(store, &week, &options).await.expect("report"), week)
}

/// Checks the fixture's report on `store` against the values computed by hand.
pub async fn the_report_is_exact(store: &dyn Store) {
    use super::period::timestamp;
    let (report, week) = report_of_fixture(store).await;
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(
        json["inquiries"],
        serde_json::json!({"count": 9, "previous": 3, "change": 6})
    );
    let rows = |field: &str| -> Vec<(String, u64, i64, Vec<u64>)> {
        json["volume"][field]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap_or_default().to_string(),
                    r["count"].as_u64().unwrap_or(99),
                    r["change"].as_i64().unwrap_or(99),
                    r["trend"]
                        .as_array()
                        .expect("trend")
                        .iter()
                        .filter_map(|n| n.as_u64())
                        .collect(),
                )
            })
            .collect()
    };
    let row =
        |k: &str, n: u64, change: i64, trend: [u64; 4]| (k.to_string(), n, change, trend.to_vec());
    assert_eq!(
        rows("by_category"),
        [
            row("how_to", 4, 3, [1, 1, 1, 4]),
            row("billing_payment", 2, 1, [0, 0, 1, 2]),
            row("bug_error", 2, 2, [1, 0, 0, 2]),
            row("account_access", 1, 1, [0, 0, 0, 1]),
            row("feature_request", 0, -1, [0, 0, 1, 0]),
        ]
    );
    assert_eq!(
        rows("by_area"),
        [
            row("account", 4, 3, [1, 1, 1, 4]),
            row("payments", 2, 1, [0, 0, 1, 2]),
            row("none", 1, 1, [0, 0, 0, 1]),
            row("store", 1, 0, [1, 0, 1, 1]),
            row("transfers", 1, 1, [0, 0, 0, 1]),
        ]
    );
    assert_eq!(
        json["volume"]["by_category_area"][0]["key"],
        "how_to / account"
    );
    assert_eq!(json["volume"]["by_category_area"][0]["count"], 3);
    assert_eq!(json["volume"]["weeks"][3], week.label.as_str());

    let ledger = &report.ledger;
    assert_eq!(
        (
            ledger.inquiries,
            ledger.confirmed,
            ledger.silent,
            ledger.not_helpful,
            ledger.handed_off
        ),
        (9, 2, 1, 1, 5)
    );
    let reasons: Vec<(&str, usize)> = ledger
        .handed_off_by_reason
        .iter()
        .map(|r| (r.key.as_str(), r.count.count))
        .collect();
    assert_eq!(
        reasons,
        [("human_requested", 2), ("urgent", 2), ("low_confidence", 1)]
    );
    assert_eq!((ledger.came_back, ledger.came_back_after_confirmed), (2, 1));
    assert!((ledger.self_service_rate - 2.0 / 9.0).abs() < 1e-12);

    let s = &report.searches;
    assert_eq!((s.count, s.zero_results, s.weak_results), (7, 5, 1));
    let top: Vec<(&str, usize)> = s
        .top_zero_results
        .iter()
        .map(|a| (a.words.as_str(), a.count))
        .collect();
    assert_eq!(
        top,
        [("Refund Account", 2), ("환불 계좌 변경", 2), ("otp", 1)]
    );

    const M: i64 = 60_000;
    let t = &report.times;
    let stat = |s: &super::Stat| (s.count, s.median_ms, s.p90_ms);
    assert_eq!(stat(&t.to_claim.all), (3, Some(10 * M), Some(30 * M)));
    assert_eq!(
        stat(&t.to_claim.within_hours),
        (2, Some(9 * M), Some(10 * M))
    );
    assert_eq!(
        stat(&t.to_claim.outside_hours),
        (1, Some(30 * M), Some(30 * M))
    );
    assert_eq!(stat(&t.to_first_reply.all), (2, Some(15 * M), Some(40 * M)));
    assert_eq!(
        stat(&t.to_first_reply.within_hours),
        (1, Some(15 * M), Some(15 * M))
    );
    assert_eq!(stat(&t.to_resolve.all), (2, Some(120 * M), Some(180 * M)));
    assert_eq!(
        stat(&t.to_resolve.outside_hours),
        (1, Some(180 * M), Some(180 * M))
    );

    let urgent: Vec<(&str, &str, i64, bool)> = report
        .urgent
        .iter()
        .map(|u| {
            (
                u.conversation_id.as_str(),
                u.urgency.as_str(),
                u.waited_ms,
                u.claimed,
            )
        })
        .collect();
    let sat_3am = week.from + 5 * 24 * 60 * M + 3 * 60 * M;
    assert_eq!(
        urgent,
        [
            ("cv_9", "service_down", report.generated_at - sat_3am, false),
            ("cv_5", "money_not_received", 30 * M, true),
            ("cv_8", "payment_failed", 0, true),
        ]
    );
    assert_eq!(report.satisfaction.count, 2);
    assert_eq!(report.satisfaction.average, Some(3.5));
    assert_eq!(report.satisfaction.distribution, [0, 1, 0, 0, 1]);

    let csv = super::csv::render(&report).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 10, "{csv}");
    assert!(
        lines[0].starts_with("id,opened,channel,locale,verified,category,area,urgency,bot_outcome")
    );
    assert_eq!(
        lines[1],
        format!(
            "cv_1,{},web,ko,true,how_to,account,,confirmed,false,,,,,,,0",
            timestamp(week.from, seoul())
        )
    );
    let tuesday_1159 = week.from + 24 * 60 * M + 12 * 60 * M - M;
    assert!(
        lines.contains(&format!(
            "cv_4,{},web,ko,true,bug_error,store,,handed_off,true,low_confidence,mina,600,900,7200,5,1",
            timestamp(tuesday_1159, seoul())
        ).as_str()),
        "{csv}"
    );
    assert!(timestamp(week.from, seoul()).ends_with("T00:00:00+09:00"));
    // Unanswered, without a knowledge base (terms only): cv_4's low-confidence hand-off and the
    // "no" vote's search are one question (the same terms; two askers), cv_3's "not helpful"
    // answer stands alone, and the zero-result searches group by their words as above (each
    // search its own asker). Ties: customers, then times asked, then the words (Latin first).
    let write: Vec<(&str, usize, usize)> = report
        .guides_to_write
        .iter()
        .map(|t| (t.words.as_str(), t.customers, t.asked))
        .collect();
    assert_eq!(
        write,
        [
            ("Refund Account", 2, 2),
            ("주문 내역 엑셀 다운로드", 2, 2),
            ("환불 계좌 변경", 2, 2),
            ("otp", 1, 1),
            ("비밀번호 재설정 메일이 안 와요", 1, 1),
            ("쿠폰 대량 발행", 1, 1),
        ]
    );
    let excel = &report.guides_to_write[1];
    assert_eq!(
        excel.examples,
        ["주문 내역 엑셀 다운로드", "주문 내역 엑셀 다운로드?"]
    );
    assert_eq!(excel.area.as_deref(), Some("store"));
    assert_eq!(excel.langs, ["ko"]);
    use super::topics::Source;
    assert_eq!(
        excel.sources,
        BTreeMap::from([(Source::LowConfidence, 1), (Source::ArticleNo, 1)])
    );
    // The only feature request is the week before's.
    assert!(report.feature_requests.is_empty());

    // Guide health: the reset guide was shown twice (cv_1, cv_3), voted helpful once (cv_1) and
    // not twice (cv_3's answer, the article's "no"); the store guide once, before cv_4's hand-off.
    let g = &report.guide_health;
    type GuideCounts<'a> = (&'a str, usize, usize, usize, usize, Option<f64>);
    let guides: Vec<GuideCounts> = g
        .guides
        .iter()
        .map(|r| {
            (
                r.guide.as_str(),
                r.cited,
                r.handed_off_after,
                r.helpful,
                r.not_helpful,
                r.not_helpful_rate,
            )
        })
        .collect();
    assert_eq!(
        guides,
        [
            (RESET, 2, 0, 1, 2, Some(2.0 / 3.0)),
            ("ko/store/open-store", 1, 1, 0, 0, None),
        ]
    );
    let sections: Vec<(&str, usize, usize)> = g
        .sections
        .iter()
        .map(|s| (s.section.as_str(), s.cited, s.handed_off_after))
        .collect();
    assert_eq!(
        sections,
        [
            ("ko/account/password-reset#reset", 2, 0),
            ("ko/store/open-store#", 1, 1)
        ]
    );
    assert!(g.never_cited.is_empty() && g.rose_after_update.is_empty());

    let md = super::markdown::render(&report);
    assert!(
        md.contains("**9 inquiries** (+6 against 3 the period before)"),
        "{md}"
    );
    assert!(md.contains("Self-service rate **22.2%**"), "{md}");
}
