//! `--format html`: the report as one self-contained page (styles inline, charts as inline SVG,
//! no script), to open in a browser, attach to a mail or print. Every customer word is escaped.

use std::fmt::Write;

use super::markdown::{duration, noun, signed};
use super::svg::{charts, escape};
use super::{Report, Row, Split, Stat, Topic, period::offset_text};
use crate::model::Millis;

const STYLE: &str = "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI','Noto Sans KR',sans-serif;color:#1f2328;max-width:960px;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.up{color:#cf222e}.down{color:#1a7f37}\
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}.big{font-size:2rem;font-weight:700}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}.muted{color:#57606a}ol li{margin:.4rem 0}";

/// The report as an HTML page.
pub fn render(report: &Report) -> String {
    let mut h = String::new();
    let p = &report.period;
    let title = format!("Support insights — {} ({})", p.label, offset_text(p.offset));
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1>",
        t = escape(&title)
    );
    let i = report.inquiries;
    let l = &report.ledger;
    let _ = write!(
        h,
        "<p><span class=\"big\">{}</span> inquiries ({} against {} the period before) · self-service \
         <span class=\"big\">{:.1}%</span> <span class=\"muted\">(confirmed by the customer only; silent ones are not counted as solved)</span></p>",
        i.count,
        signed(i.change),
        i.previous,
        l.self_service_rate * 100.0
    );
    let charts = charts(report);
    let chart = |name: &str| {
        charts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, svg)| format!("<figure>{svg}</figure>"))
            .unwrap_or_default()
    };

    h.push_str("<h2>The bot's ledger</h2>");
    h.push_str(&chart("ledger"));
    let _ = write!(
        h,
        "<p>Came back within 7 days about the same thing: {} (of them {} had confirmed it solved).</p>",
        l.came_back, l.came_back_after_confirmed
    );
    if !l.handed_off_by_reason.is_empty() {
        h.push_str("<p>Hand-offs by reason: ");
        let reasons: Vec<String> = l
            .handed_off_by_reason
            .iter()
            .map(|r| format!("{} {}", escape(&r.key), r.count.count))
            .collect();
        let _ = write!(h, "{}.</p>", reasons.join(", "));
    }

    let v = &report.volume;
    h.push_str("<h2>Inquiries by category</h2>");
    h.push_str(&chart("volume"));
    rows_table(&mut h, &v.by_category, &v.weeks);
    h.push_str("<h2>Inquiries by product area</h2>");
    h.push_str(&chart("areas"));
    rows_table(&mut h, &v.by_area, &v.weeks);
    h.push_str("<h2>Inquiries by category and area</h2>");
    rows_table(&mut h, &v.by_category_area, &v.weeks);
    h.push_str("<h2>Inquiries by channel</h2>");
    rows_table(&mut h, &v.by_channel, &v.weeks);
    h.push_str("<h2>Inquiries by organisation</h2>");
    rows_table(&mut h, &v.by_organisation, &v.weeks);

    h.push_str("<h2>Guides to write</h2><p class=\"muted\">Questions the desk could not answer, grouped when they ask the same thing, most customers first.</p>");
    topics(&mut h, &report.guides_to_write);

    let g = &report.guide_health;
    h.push_str("<h2>Guide health</h2>");
    if g.guides.is_empty() {
        h.push_str("<p>No guide was cited or voted on.</p>");
    } else {
        h.push_str("<table><tr><th>Guide</th><th class=\"n\">Cited</th><th class=\"n\">Handed off after</th><th class=\"n\">Not helpful</th></tr>");
        for row in &g.guides {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(if row.title.is_empty() {
                    &row.guide
                } else {
                    &row.title
                }),
                row.cited,
                row.handed_off_after,
                row.not_helpful_rate.map_or("–".into(), |r| format!(
                    "{:.0}% of {}",
                    r * 100.0,
                    row.helpful + row.not_helpful
                ))
            );
        }
        h.push_str("</table>");
    }
    for rise in &g.rose_after_update {
        let _ = write!(
            h,
            "<p class=\"up\">Hand-offs rose after an edit: <code>{}</code> (updated {}): {:.0}% before, {:.0}% after.</p>",
            escape(&rise.guide),
            escape(&rise.updated),
            rise.before.rate * 100.0,
            rise.after.rate * 100.0
        );
    }
    if !g.never_cited.is_empty() {
        let _ = write!(
            h,
            "<details><summary>Never cited this period: {} guides</summary><p>{}</p></details>",
            g.never_cited.len(),
            g.never_cited
                .iter()
                .map(|id| format!("<code>{}</code>", escape(id)))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }

    h.push_str("<h2>Feature requests</h2>");
    topics(&mut h, &report.feature_requests);

    let d = &report.deflection;
    let _ = write!(
        h,
        "<h2>The inquiry board's suggestions</h2><p>In {} forms a reader opened a guide the board suggested; {} of them sent no inquiry (the guides answered).</p>",
        d.opened, d.deflected
    );

    let s = &report.searches;
    let _ = write!(
        h,
        "<h2>Searches that found nothing</h2><p>{} of {} searches found no guide; {} more found none the bot would have offered.</p><ul>",
        s.zero_results, s.count, s.weak_results
    );
    for asked in &s.top_zero_results {
        let _ = write!(
            h,
            "<li>{} × <code>{}</code></li>",
            asked.count,
            escape(&asked.words)
        );
    }
    h.push_str("</ul>");

    let t = &report.times;
    h.push_str("<h2>Time to people</h2>");
    if !t.hours_set {
        h.push_str("<p class=\"muted\">No business hours are set: every hand-off counts as within hours.</p>");
    }
    h.push_str(&chart("times"));
    h.push_str("<table><tr><th></th><th class=\"n\">Median</th><th class=\"n\">p90</th><th class=\"n\">Within hours</th><th class=\"n\">Outside hours</th></tr>");
    for (name, split) in [
        ("To claim", &t.to_claim),
        ("To first reply", &t.to_first_reply),
        ("To resolve", &t.to_resolve),
    ] {
        times_row(&mut h, name, split);
    }
    h.push_str("</table>");

    h.push_str("<h2>Urgent cases</h2>");
    if report.urgent.is_empty() {
        h.push_str("<p>None.</p>");
    } else {
        h.push_str("<ul>");
        for case in &report.urgent {
            let _ = write!(
                h,
                "<li><code>{}</code> {} waited {}{}</li>",
                escape(&case.conversation_id),
                escape(&case.urgency),
                duration(case.waited_ms),
                if case.claimed {
                    ""
                } else {
                    " <strong class=\"up\">and is still unclaimed</strong>"
                }
            );
        }
        h.push_str("</ul>");
    }

    let sat = &report.satisfaction;
    h.push_str("<h2>Satisfaction</h2>");
    match sat.average {
        Some(avg) => {
            let d = sat.distribution;
            let _ = write!(
                h,
                "<p>{} ratings, average {avg:.2} (1★ {} · 2★ {} · 3★ {} · 4★ {} · 5★ {}).</p>",
                sat.count, d[0], d[1], d[2], d[3], d[4]
            );
        }
        None => h.push_str("<p>No ratings.</p>"),
    }
    let _ = writeln!(
        h,
        "<p class=\"muted\">Generated {} · schema {}</p></body></html>",
        super::period::timestamp(report.generated_at, p.offset),
        report.schema
    );
    h
}

fn rows_table(h: &mut String, rows: &[Row], weeks: &[String]) {
    let _ = write!(
        h,
        "<table><tr><th></th><th class=\"n\">This period</th><th class=\"n\">Change</th><th>Trend ({})</th></tr>",
        escape(&weeks.join(" · "))
    );
    if rows.is_empty() {
        h.push_str("<tr><td>none</td><td class=\"n\">0</td><td class=\"n\">0</td><td></td></tr>");
    }
    for row in rows {
        let change = row.count.change;
        let class = match change.cmp(&0) {
            std::cmp::Ordering::Greater => "n up",
            std::cmp::Ordering::Less => "n down",
            std::cmp::Ordering::Equal => "n",
        };
        let trend: Vec<String> = row.trend.iter().map(ToString::to_string).collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"{class}\">{}</td><td>{}</td></tr>",
            escape(&row.key),
            row.count.count,
            signed(change),
            trend.join(" → ")
        );
    }
    h.push_str("</table>");
}

fn topics(h: &mut String, topics: &[Topic]) {
    if topics.is_empty() {
        h.push_str("<p>None.</p>");
        return;
    }
    h.push_str("<ol>");
    for topic in topics {
        let _ = write!(
            h,
            "<li><code>{}</code> — <strong>{}</strong> {}, asked {} {} ({})",
            escape(&topic.words),
            topic.customers,
            noun(topic.customers, "customer", "customers"),
            topic.asked,
            noun(topic.asked, "time", "times"),
            escape(&topic.langs.join(", "))
        );
        if let Some(area) = &topic.area {
            let _ = write!(h, ", area {}", escape(area));
        }
        let others: Vec<String> = topic
            .examples
            .iter()
            .skip(1)
            .map(|e| format!("<code>{}</code>", escape(e)))
            .collect();
        if !others.is_empty() {
            let _ = write!(
                h,
                "<br><span class=\"muted\">also asked as</span> {}",
                others.join(", ")
            );
        }
        if let Some(c) = &topic.closest {
            let _ = write!(
                h,
                "<br><span class=\"muted\">closest guide:</span> {} (<code>{}</code>)",
                escape(&c.title),
                escape(&c.guide)
            );
        }
        h.push_str("</li>");
    }
    h.push_str("</ol>");
}

fn times_row(h: &mut String, name: &str, split: &Split) {
    let show = |s: &Stat, f: fn(&Stat) -> Option<Millis>| f(s).map_or("–".into(), duration);
    let _ = write!(
        h,
        "<tr><td>{name} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        split.all.count,
        show(&split.all, |s| s.median_ms),
        show(&split.all, |s| s.p90_ms),
        show(&split.within_hours, |s| s.median_ms),
        show(&split.outside_hours, |s| s.median_ms),
    );
}
