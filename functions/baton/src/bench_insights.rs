//! `baton bench-insights`: the weekly report over a busy team's year of events.
//!
//! Writes a synthetic year (by default 365 days × 500 conversations × 20 events: openings,
//! searches, bot turns citing the real guides, verdicts, hand-offs with their questions, claims,
//! replies, resolutions, ratings, article votes) into a fresh SQLite file, then times the report
//! of the year's last full week (what Monday's delivery and the console compute: five weeks of
//! events read, questions grouped against the real guides) and of the whole year, with the
//! process's peak memory. With the `dynamo` feature and `AWS_ENDPOINT_URL_DYNAMODB` pointing at
//! DynamoDB Local, also writes one such day there and reads it back, to give the read units one
//! weekly report costs in AWS.

use std::sync::Arc;
use std::time::Instant;

use desk::Store;
use desk::events as key;
use desk::insights::{self, DAY, Options, Period};
use desk::model::{Category, Event, EventKind, Millis};
use desk::store::Commit;
use kb::KnowledgeBase;

/// A deterministic generator (64-bit LCG): the same year every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Wordings customers type that the guides may not answer (the report groups them).
const ASKED: &[&str] = &[
    "주문 내역 엑셀 다운로드",
    "주문내역 엑셀로 받기",
    "export orders to excel",
    "정산 계좌 두 개 등록",
    "second settlement account",
    "영문 인보이스 발급",
    "invoice in english",
    "다크 모드 지원하나요",
    "dark mode please",
    "재고 옵션별 관리",
    "inventory per option",
    "쿠폰 대량 발행",
    "bulk coupons",
    "카카오페이 버튼이 안 보여요",
    "kakao pay button missing",
    "배송비 지역별 설정",
    "shipping fee by region",
    "앱 푸시 알림 끄기",
    "turn off push notifications",
    "직원 권한 주문만 보기",
];

/// One conversation's twenty events, from `at`.
fn conversation(n: u64, at: Millis, guides: &[String], dice: &mut Dice) -> Vec<Event> {
    let id = format!("cv_bench{n:012}");
    let mut events = Vec::with_capacity(20);
    let mut t = at;
    let push = |events: &mut Vec<Event>,
                kind: EventKind,
                t: Millis,
                class: Option<(Category, &str)>,
                data: Vec<(&str, String)>| {
        events.push(Event {
            id: format!("ev_bench{n:012}{:02}", events.len()),
            kind,
            at: t,
            conversation_id: if matches!(kind, EventKind::Search | EventKind::ArticleFeedback) {
                String::new()
            } else {
                id.clone()
            },
            category: class.map(|c| c.0),
            area: class.map(|c| c.1.to_string()),
            data: data.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        });
    };
    let categories = [
        Category::HowTo,
        Category::BugError,
        Category::BillingPayment,
        Category::AccountAccess,
        Category::FeatureRequest,
    ];
    let areas = [
        "account",
        "billing",
        "payments",
        "transfers",
        "orders",
        "store",
        "security",
    ];
    let class = (categories[dice.below(5)], areas[dice.below(7)]);
    let question = ASKED[dice.below(ASKED.len())].to_string();
    let guide = guides[dice.below(guides.len())].clone();
    let customer = format!("{:016x}", dice.next() % 40_000);
    push(
        &mut events,
        EventKind::Open,
        t,
        None,
        vec![
            (key::CHANNEL, "web".into()),
            (key::LANG, "ko".into()),
            (key::VERIFIED, "true".into()),
            (key::CUSTOMER, customer.clone()),
        ],
    );
    for _ in 0..2 {
        t += 20_000;
        let zero = dice.chance(15);
        push(
            &mut events,
            EventKind::Search,
            t,
            None,
            vec![
                (key::QUERY, question.clone()),
                (key::LANG, "ko".into()),
                (key::HITS, if zero { "0" } else { "4" }.into()),
                (
                    key::TOP_GUIDE,
                    if zero { String::new() } else { guide.clone() },
                ),
                (key::SOURCE, "help_center".into()),
            ],
        );
    }
    let handed_off = dice.chance(40);
    let turns = if handed_off { 3 } else { 14 };
    for _ in 0..turns {
        t += 30_000;
        push(
            &mut events,
            EventKind::BotTurn,
            t,
            Some(class),
            vec![
                (key::DECISION, "answer".into()),
                (key::PROBABILITY, "0.640".into()),
                (key::CITED, guide.clone()),
                (key::SECTIONS, format!("{guide}#")),
                (key::HITS, "5".into()),
                (key::PRIORITY, "normal".into()),
                (key::LANG, "ko".into()),
                (key::QUESTION, question.clone()),
            ],
        );
    }
    t += 10_000;
    let helpful = dice.chance(60);
    push(
        &mut events,
        EventKind::Feedback,
        t,
        Some(class),
        vec![
            (
                key::VERDICT,
                if helpful { "helpful" } else { "not_helpful" }.into(),
            ),
            (key::GUIDE, guide.clone()),
            (key::QUESTION, question.clone()),
        ],
    );
    if handed_off {
        let low = dice.chance(50);
        t += 10_000;
        let handoff_at = t;
        push(
            &mut events,
            EventKind::Handoff,
            t,
            Some(class),
            vec![
                (
                    key::REASON,
                    if low {
                        "low_confidence"
                    } else {
                        "human_requested"
                    }
                    .into(),
                ),
                (key::PRIORITY, "normal".into()),
                (key::QUESTION, question.clone()),
                (key::CUSTOMER, customer),
            ],
        );
        t = handoff_at + 60_000 * (1 + dice.below(90) as Millis);
        push(
            &mut events,
            EventKind::Claim,
            t,
            None,
            vec![(key::OPERATOR, "minji".into())],
        );
        for _ in 0..9 {
            t += 60_000;
            push(
                &mut events,
                EventKind::Reply,
                t,
                None,
                vec![(key::OPERATOR, "minji".into())],
            );
        }
        t += 600_000;
        push(
            &mut events,
            EventKind::Resolve,
            t,
            Some(class),
            vec![
                (key::OPERATOR, "minji".into()),
                (key::FOLLOW_UP, String::new()),
            ],
        );
        t += 60_000;
        push(
            &mut events,
            EventKind::Rating,
            t,
            None,
            vec![(key::SCORE, (1 + dice.below(5)).to_string())],
        );
    }
    t += 5_000;
    push(
        &mut events,
        EventKind::ArticleFeedback,
        t,
        Some(class),
        vec![
            (key::GUIDE, guide),
            (key::HELPFUL, dice.chance(70).to_string()),
            (key::SEARCH, question),
        ],
    );
    events
}

/// Writes `events` in commits of `per_commit`.
async fn write(store: &dyn Store, events: &[Event], per_commit: usize) -> anyhow::Result<()> {
    for chunk in events.chunks(per_commit) {
        store
            .commit(&Commit {
                events: chunk.to_vec(),
                ..Commit::default()
            })
            .await?;
    }
    Ok(())
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A synthetic day's events, for `day` days after `start`.
fn day_events(
    start: Millis,
    day: u64,
    per_day: u64,
    guides: &[String],
    dice: &mut Dice,
) -> Vec<Event> {
    let mut events = Vec::new();
    for c in 0..per_day {
        // Spread evenly over the day.
        let at = start + day as Millis * DAY + (c as Millis * DAY / per_day as Millis);
        events.extend(conversation(day * per_day + c, at, guides, dice));
    }
    events
}

/// Runs the benchmark and prints its numbers.
pub async fn run(
    kb: Arc<KnowledgeBase>,
    days: u64,
    per_day: u64,
    dynamo_full: bool,
) -> anyhow::Result<()> {
    let guides: Vec<String> = kb.guides().iter().map(|g| g.guide.id.clone()).collect();
    let dir = tempfile::tempdir()?;
    let store = desk::store::sqlite::SqliteStore::open(&dir.path().join("bench.db"))?;
    let offset = time::UtcOffset::from_hms(9, 0, 0)?;
    // The year ends with the last full week before today.
    let now = desk::model::now();
    let last_week = Period::last_week(now, offset);
    let start = last_week.to - days as Millis * DAY;
    let mut dice = Dice(11);
    let written = Instant::now();
    let mut count = 0usize;
    for day in 0..days {
        let events = day_events(start, day, per_day, &guides, &mut dice);
        count += events.len();
        write(&store, &events, 5_000).await?;
    }
    let bytes = std::fs::metadata(dir.path().join("bench.db"))?.len();
    println!(
        "wrote {count} events ({days} days × {per_day} conversations) in {:.1} s; SQLite file {:.0} MiB",
        written.elapsed().as_secs_f64(),
        bytes as f64 / 1_048_576.0
    );
    let options = Options {
        hours: None,
        now,
        kb: Some(Arc::clone(&kb)),
        encoder: None,
    };
    let before = peak_mib();
    let read = Instant::now();
    let mut read_count = 0;
    let mut at = last_week.from - 3 * insights::WEEK;
    while at < (last_week.to + insights::WEEK).min(now) {
        read_count += store.events(at, at + DAY).await?.len();
        at += DAY;
    }
    println!(
        "reading the five weeks' {read_count} events alone: {:.2} s",
        read.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..3 {
        let at = Instant::now();
        report = Some(insights::report(&store, &last_week, &options).await?);
        times.push(at.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let report = report.expect("three runs");
    println!(
        "weekly report ({}, {} inquiries, {} guides to write, five weeks of events read): median {:.2} s of 3 (min {:.2}, max {:.2}); peak memory {:.0} MiB (before the report {:.0} MiB)",
        last_week.label,
        report.inquiries.count,
        report.guides_to_write.len(),
        times[1],
        times[0],
        times[2],
        peak_mib(),
        before
    );
    let first_day = insights::period::timestamp(start, offset);
    let last_day = insights::period::timestamp(last_week.to - 1, offset);
    let year = Period::days(&first_day[..10], &last_day[..10], offset)?;
    let at = Instant::now();
    let whole = insights::report(&store, &year, &options).await?;
    println!(
        "the whole year as one period ({}, {} inquiries): {:.2} s; peak memory {:.0} MiB",
        year.label,
        whole.inquiries.count,
        at.elapsed().as_secs_f64(),
        peak_mib()
    );
    #[cfg(feature = "dynamo")]
    dynamo_units(per_day, &guides, &last_week, dynamo_full.then_some(&kb)).await?;
    #[cfg(not(feature = "dynamo"))]
    let _ = dynamo_full;
    Ok(())
}

/// One synthetic day written to DynamoDB Local and read back as the report reads it.
#[cfg(feature = "dynamo")]
async fn dynamo_units(
    per_day: u64,
    guides: &[String],
    week: &Period,
    full: Option<&Arc<KnowledgeBase>>,
) -> anyhow::Result<()> {
    if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_err() {
        println!("DynamoDB: skipped (set AWS_ENDPOINT_URL_DYNAMODB to DynamoDB Local)");
        return Ok(());
    }
    let table = desk::model::new_id("bench")
        .replace('_', "-")
        .to_lowercase();
    let store = desk::store::dynamo::DynamoStore::from_env(&table).await;
    store.create_table().await?;
    // A recent day: the store reads no events older than its retention.
    let day_start = week.from;
    let mut dice = Dice(7);
    // Conversation numbers of their own (day 1000), apart from the days written below.
    let events = day_events(day_start - 1000 * DAY, 1000, per_day, guides, &mut dice);
    // A DynamoDB transaction holds at most 100 items.
    write(&store, &events, 100).await?;
    let before = store.usage();
    let read = store.events(day_start, day_start + DAY).await?;
    let after = store.usage();
    let units = after.read_units - before.read_units;
    let requests = after.requests - before.requests;
    // A weekly report reads five weeks: its week, the three before (the trend), one after.
    let days = 35.0;
    println!(
        "DynamoDB (Local): one day of {} events read in {requests} requests, {units:.1} read units; a weekly report reads 35 such days: about {:.0} read units in {:.0} requests",
        read.len(),
        units * days,
        requests as f64 * days,
    );
    let Some(kb) = full else {
        return Ok(());
    };
    // Every day the weekly report reads (the three weeks before, the week, the days since),
    // then the report itself on DynamoDB, with its read units and the memory it took.
    let now = desk::model::now();
    let first = week.from - 3 * insights::WEEK;
    let last = (week.to + insights::WEEK).min(now);
    let written = Instant::now();
    let mut count = read.len();
    let mut day: u64 = 0;
    while first + day as Millis * DAY < last {
        let at = first + day as Millis * DAY;
        day += 1;
        if at == day_start {
            continue;
        }
        let events = day_events(first, day - 1, per_day, guides, &mut dice);
        count += events.len();
        write(&store, &events, 100).await?;
    }
    println!(
        "DynamoDB (Local): wrote the report's {day} days, {count} events, in {:.0} s, to table {table} (kept: the insights function's memory test reads it, `BATON_BENCH_TABLE={table} cargo test -p insights -- --ignored`)",
        written.elapsed().as_secs_f64()
    );
    let options = Options {
        hours: None,
        now,
        kb: Some(Arc::clone(kb)),
        encoder: None,
    };
    let before_mib = peak_mib();
    let before = store.usage();
    let at = Instant::now();
    let report = insights::report(&store, week, &options).await?;
    let after = store.usage();
    println!(
        "DynamoDB (Local): the weekly report ({} inquiries) in {:.2} s, {} requests, {:.0} read units; peak memory {:.0} MiB (before it {:.0} MiB)",
        report.inquiries.count,
        at.elapsed().as_secs_f64(),
        after.requests - before.requests,
        after.read_units - before.read_units,
        peak_mib(),
        before_mib
    );
    Ok(())
}
