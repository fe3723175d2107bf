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
    b.push(
        Feedback,
        "cv_1",
        mon + M,
        Some((HowTo, Some("account"))),
        &[(key::VERDICT, "helpful")],
    );
    // cv_2: answered, then nothing: silent. The same customer asks again the next Monday at
    // 00:00 (cv_n1, the next week's first millisecond): it came back.
    b.open("cv_2", mon + 10 * H, "c2");
    b.turn("cv_2", mon + 10 * H, "answer", BillingPayment, "payments");
    // cv_3: offered guides, "not helpful", left.
    b.open("cv_3", tue + 11 * H, "c3");
    b.turn("cv_3", tue + 11 * H, "clarify", HowTo, "account");
    b.push(
        Feedback,
        "cv_3",
        tue + 11 * H + M,
        None,
        &[(key::VERDICT, "not_helpful")],
    );
    // cv_4: low confidence on Tuesday noon (within hours): claimed after 10 m, answered after
    // 15 m, resolved after 2 h as a bug, rated 5, reopened the next day.
    let t4 = tue + 12 * H;
    b.open("cv_4", t4 - M, "c4");
    b.turn("cv_4", t4 - M, "handoff", HowTo, "store");
    b.handoff("cv_4", t4, "low_confidence", HowTo, Some("store"));
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
            (key::GUIDE, "ko/account/password-reset"),
            (key::HELPFUL, "false"),
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
    let hours = Hours::parse(Some("mon-fri 09:00-18:00"), None, Some("+09:00"))
        .expect("hours")
        .expect("set");
    let options = Options {
        hours: Some(hours),
        now: week.to + 8 * D,
    };
    (report(store, &week, &options).await.expect("report"), week)
}
