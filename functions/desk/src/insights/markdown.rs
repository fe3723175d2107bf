//! `--format md`: the report as a page a team pastes into its wiki or reads in a terminal.

use std::fmt::Write;

use super::{GuideHealth, Report, Row, Split, Stat, Topic};
use crate::model::Millis;

/// The report as Markdown. Customer words are written inside code spans, so no Markdown in them
/// becomes a link or a heading.
pub fn render(report: &Report) -> String {
    let mut md = String::new();
    let p = &report.period;
    let _ = writeln!(
        md,
        "# Support insights — {} ({})\n",
        p.label,
        super::period::offset_text(p.offset)
    );
    let i = report.inquiries;
    let _ = writeln!(
        md,
        "**{} inquiries** ({} against {} the period before).\n",
        i.count,
        signed(i.change),
        i.previous
    );

    let l = &report.ledger;
    md.push_str("## The bot's ledger\n\n");
    let _ = writeln!(
        md,
        "Self-service rate **{}**: conversations the customer *confirmed* solved, of all inquiries. \
         Silent ones are not counted as solved.\n",
        percent(l.self_service_rate)
    );
    md.push_str("| Outcome | Conversations |\n|---|---:|\n");
    for (name, n) in [
        ("Confirmed solved by the customer", l.confirmed),
        ("Went silent after an answer", l.silent),
        ("Said the answer did not help, and left", l.not_helpful),
        ("Handed off to people", l.handed_off),
    ] {
        let _ = writeln!(md, "| {name} | {n} |");
    }
    let _ = writeln!(
        md,
        "\nCame back within 7 days about the same thing: {} (of them {} had confirmed it solved).\n",
        l.came_back, l.came_back_after_confirmed
    );
    if !l.handed_off_by_reason.is_empty() {
        md.push_str("Hand-offs by reason: ");
        let reasons: Vec<String> = l
            .handed_off_by_reason
            .iter()
            .map(|r| format!("{} {}", r.key, r.count.count))
            .collect();
        let _ = writeln!(md, "{}.\n", reasons.join(", "));
    }

    let v = &report.volume;
    let weeks = v.weeks.join(" · ");
    for (title, rows) in [
        ("Inquiries by category", &v.by_category),
        ("Inquiries by product area", &v.by_area),
        ("Inquiries by category and area", &v.by_category_area),
        ("Inquiries by channel", &v.by_channel),
        (
            "Inquiries by organisation (the biggest)",
            &v.by_organisation,
        ),
    ] {
        let _ = writeln!(md, "## {title}\n");
        let _ = writeln!(
            md,
            "| | This period | Change | Trend ({weeks}) |\n|---|---:|---:|---|"
        );
        for row in rows {
            md.push_str(&table_row(row));
        }
        if rows.is_empty() {
            md.push_str("| none | 0 | 0 | |\n");
        }
        md.push('\n');
    }

    let s = &report.searches;
    md.push_str("## Searches that found nothing\n\n");
    let _ = writeln!(
        md,
        "{} of {} searches found no guide; {} more found none the bot would have offered.\n",
        s.zero_results, s.count, s.weak_results
    );
    for asked in &s.top_zero_results {
        let _ = writeln!(md, "- {} × {}", asked.count, code(&asked.words));
    }
    if !s.top_zero_results.is_empty() {
        md.push('\n');
    }

    let d = &report.deflection;
    md.push_str("## The inquiry board's suggestions\n\n");
    let _ = writeln!(
        md,
        "In {} forms a reader opened a guide the board suggested; {} of them sent no inquiry (the guides answered).\n",
        d.opened, d.deflected
    );

    md.push_str("## Guides to write\n\n");
    md.push_str(
        "Questions the desk could not answer (searches that found nothing, hand-offs for low \
         confidence, answers that did not help, \"no\" votes after a search), grouped when they ask \
         the same thing, most customers first.\n\n",
    );
    topics(&mut md, &report.guides_to_write);

    guide_health(&mut md, &report.guide_health);

    md.push_str("## Feature requests\n\n");
    topics(&mut md, &report.feature_requests);

    let t = &report.times;
    md.push_str("## Time to people\n\n");
    if !t.hours_set {
        md.push_str("No business hours are set: every hand-off counts as within hours.\n\n");
    }
    md.push_str("| | Median | p90 | Within hours (median) | Outside hours (median) |\n|---|---:|---:|---:|---:|\n");
    for (name, split) in [
        ("To claim", &t.to_claim),
        ("To first reply", &t.to_first_reply),
        ("To resolve", &t.to_resolve),
    ] {
        md.push_str(&times_row(name, split));
    }
    md.push('\n');

    md.push_str("## Urgent cases\n\n");
    if report.urgent.is_empty() {
        md.push_str("None.\n\n");
    }
    for case in &report.urgent {
        let _ = writeln!(
            md,
            "- `{}` {} waited {}{}",
            case.conversation_id,
            case.urgency,
            duration(case.waited_ms),
            if case.claimed {
                ""
            } else {
                " and is still unclaimed"
            }
        );
    }
    if !report.urgent.is_empty() {
        md.push('\n');
    }

    let sat = &report.satisfaction;
    md.push_str("## Satisfaction\n\n");
    match sat.average {
        Some(average) => {
            let _ = writeln!(
                md,
                "{} ratings, average {average:.2} (1★ {} · 2★ {} · 3★ {} · 4★ {} · 5★ {}).",
                sat.count,
                sat.distribution[0],
                sat.distribution[1],
                sat.distribution[2],
                sat.distribution[3],
                sat.distribution[4]
            );
        }
        None => md.push_str("No ratings.\n"),
    }
    md
}

fn topics(md: &mut String, topics: &[Topic]) {
    if topics.is_empty() {
        md.push_str("None.\n\n");
    }
    for (n, topic) in topics.iter().enumerate() {
        let _ = write!(
            md,
            "{}. {} — {} {}, asked {} {} ({})",
            n + 1,
            code(&topic.words),
            topic.customers,
            noun(topic.customers, "customer", "customers"),
            topic.asked,
            noun(topic.asked, "time", "times"),
            topic.langs.join(", ")
        );
        if let Some(area) = &topic.area {
            let _ = write!(md, ", area {area}");
        }
        md.push('\n');
        let others: Vec<String> = topic.examples.iter().skip(1).map(|e| code(e)).collect();
        if !others.is_empty() {
            let _ = writeln!(md, "   - also asked as {}", others.join(", "));
        }
        if let Some(closest) = &topic.closest {
            let _ = writeln!(
                md,
                "   - closest guide: {} (`{}`)",
                closest.title.replace(['[', ']', '|', '\n'], " "),
                closest.guide
            );
        }
    }
    if !topics.is_empty() {
        md.push('\n');
    }
}

fn guide_health(md: &mut String, health: &GuideHealth) {
    md.push_str("## Guide health\n\n");
    if health.guides.is_empty() {
        md.push_str("No guide was cited or voted on.\n\n");
    } else {
        md.push_str("| Guide | Cited | Handed off after | Not helpful |\n|---|---:|---:|---:|\n");
        for g in &health.guides {
            let name = if g.title.is_empty() {
                &g.guide
            } else {
                &g.title
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                name.replace(['|', '\n'], " "),
                g.cited,
                g.handed_off_after,
                g.not_helpful_rate.map_or("–".into(), |r| format!(
                    "{} of {}",
                    percent(r),
                    g.helpful + g.not_helpful
                ))
            );
        }
        md.push('\n');
    }
    if !health.sections.is_empty() {
        md.push_str("Sections cited most: ");
        let top: Vec<String> = health
            .sections
            .iter()
            .take(5)
            .map(|s| {
                format!(
                    "`{}` {} ({} handed off after)",
                    s.section, s.cited, s.handed_off_after
                )
            })
            .collect();
        let _ = writeln!(md, "{}.\n", top.join(", "));
    }
    for rise in &health.rose_after_update {
        let _ = writeln!(
            md,
            "- **Hand-offs rose after an edit**: `{}` (updated {}): {} before, {} after.",
            rise.guide,
            rise.updated,
            percent(rise.before.rate),
            percent(rise.after.rate)
        );
    }
    if !health.rose_after_update.is_empty() {
        md.push('\n');
    }
    if !health.never_cited.is_empty() {
        let _ = writeln!(
            md,
            "Never cited this period: {} {}.\n",
            health.never_cited.len(),
            noun(health.never_cited.len(), "guide", "guides")
        );
    }
}

fn table_row(row: &Row) -> String {
    let trend: Vec<String> = row.trend.iter().map(ToString::to_string).collect();
    format!(
        "| {} | {} | {} | {} |\n",
        row.key.replace('|', "/"),
        row.count.count,
        signed(row.count.change),
        trend.join(" → ")
    )
}

fn times_row(name: &str, split: &Split) -> String {
    let show = |s: &Stat, f: fn(&Stat) -> Option<Millis>| f(s).map_or("–".into(), duration);
    format!(
        "| {name} ({}) | {} | {} | {} | {} |\n",
        split.all.count,
        show(&split.all, |s| s.median_ms),
        show(&split.all, |s| s.p90_ms),
        show(&split.within_hours, |s| s.median_ms),
        show(&split.outside_hours, |s| s.median_ms),
    )
}

/// `1h 05m`, `12m`, `40s`.
pub fn duration(ms: Millis) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, (s % 3600) / 60) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m"),
        (h, m) if h < 48 => format!("{h}h {m:02}m"),
        (h, _) => format!("{}d {}h", h / 24, h % 24),
    }
}

/// A change: `+3`, `0`, `-2`.
pub fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// The word for `n` of a thing: `one` for one, `many` otherwise.
pub fn noun<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// Untrusted words as an inline code span that no backtick inside can close.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r', '|'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}
