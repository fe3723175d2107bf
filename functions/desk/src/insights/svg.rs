//! The report's charts as SVG, written by hand: three chart shapes (stacked columns over weeks,
//! one stacked bar, paired bars) with text escaped, no script, no external reference. A charting
//! crate (plotters, charming) would bring fonts, a rendering backend or a JavaScript runtime
//! for what is a few rectangles; these render the same in the HTML report, in the console (as
//! `<img>`, where an SVG cannot run anything) and in a mail client.

use std::fmt::Write;

use super::{Report, Split};

/// Colours that stay apart for common colour blindness (Okabe–Ito), then greys.
const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
];
const FONT: &str = "font-family=\"system-ui,-apple-system,'Segoe UI','Noto Sans KR',sans-serif\"";

/// The charts of a report, by name (`volume`, `areas`, `ledger`, `times`).
pub fn charts(report: &Report) -> Vec<(&'static str, String)> {
    let v = &report.volume;
    let series = |rows: &[super::Row]| -> Vec<(String, Vec<usize>)> {
        rows.iter()
            .map(|r| (r.key.clone(), r.trend.clone()))
            .collect()
    };
    let l = &report.ledger;
    let t = &report.times;
    vec![
        (
            "volume",
            columns(
                "Inquiries by category, by week",
                &v.weeks,
                &series(&v.by_category),
            ),
        ),
        (
            "areas",
            columns(
                "Inquiries by product area, by week",
                &v.weeks,
                &series(&v.by_area),
            ),
        ),
        (
            "ledger",
            stacked_bar(
                "How conversations ended for the bot",
                &[
                    ("confirmed", l.confirmed),
                    ("silent", l.silent),
                    ("not helpful", l.not_helpful),
                    ("handed off", l.handed_off),
                ],
            ),
        ),
        (
            "times",
            times(
                "Median time, within and outside business hours",
                &[
                    ("to claim", &t.to_claim),
                    ("to first reply", &t.to_first_reply),
                    ("to resolve", &t.to_resolve),
                ],
            ),
        ),
    ]
}

/// Escapes text for SVG/XML content and attribute values; control characters, which XML does
/// not allow, become spaces.
pub fn escape(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    kb::markdown::escape_html(&clean)
}

fn open(svg: &mut String, width: u32, height: u32, title: &str) {
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" {FONT} font-size=\"12\"><title>{t}</title>\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\
         <text x=\"12\" y=\"20\" font-size=\"14\" font-weight=\"600\" fill=\"#1f2328\">{t}</text>",
        t = escape(title)
    );
}

/// Stacked columns: one per week, a segment per series, a legend beside.
pub fn columns(title: &str, weeks: &[String], series: &[(String, Vec<usize>)]) -> String {
    let (width, height, left, top, plot_h, col_w, gap) =
        (640u32, 260u32, 44u32, 36u32, 180u32, 64u32, 36u32);
    let mut svg = String::new();
    open(&mut svg, width, height, title);
    let totals: Vec<usize> = (0..weeks.len())
        .map(|w| {
            series
                .iter()
                .map(|(_, c)| c.get(w).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let scale = |n: usize| (n as f64 / max as f64 * f64::from(plot_h)).round() as u32;
    let base = top + plot_h;
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#8c959f\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#57606a\">{max}</text>",
        left + weeks.len() as u32 * (col_w + gap),
        left - 6,
        top + 4
    );
    for (w, week) in weeks.iter().enumerate() {
        let x = left + gap / 2 + w as u32 * (col_w + gap);
        let mut y = base;
        for (s, (name, counts)) in series.iter().enumerate() {
            let n = counts.get(w).copied().unwrap_or(0);
            let h = scale(n);
            if h == 0 {
                continue;
            }
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{col_w}\" height=\"{h}\" fill=\"{}\"><title>{} {week}: {n}</title></rect>",
                PALETTE[s.min(PALETTE.len() - 1)],
                escape(name),
                week = escape(week)
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1f2328\">{}</text>\
             <text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" fill=\"#57606a\">{}</text>",
            y.saturating_sub(4),
            totals[w],
            base + 16,
            escape(short_week(week)),
            cx = x + col_w / 2
        );
    }
    let legend_x = left + weeks.len() as u32 * (col_w + gap) + 8;
    for (s, (name, _)) in series.iter().enumerate().take(PALETTE.len()) {
        let y = top + s as u32 * 20;
        let _ = write!(
            svg,
            "<rect x=\"{legend_x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#1f2328\">{}</text>",
            PALETTE[s],
            legend_x + 18,
            y + 10,
            escape(&cut(name, 24))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar split into parts, labelled with counts and shares.
pub fn stacked_bar(title: &str, parts: &[(&str, usize)]) -> String {
    let (width, height, left, bar_w) = (640u32, 110u32, 12u32, 616u32);
    let mut svg = String::new();
    open(&mut svg, width, height, title);
    let total: usize = parts.iter().map(|(_, n)| n).sum();
    let mut x = left;
    for (i, (name, n)) in parts.iter().enumerate() {
        let w = if total == 0 {
            0
        } else {
            (*n as f64 / total as f64 * f64::from(bar_w)).round() as u32
        };
        if w > 0 {
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"34\" width=\"{w}\" height=\"28\" fill=\"{}\"><title>{}: {n}</title></rect>",
                PALETTE[i],
                escape(name)
            );
        }
        x += w;
        let share = if total == 0 {
            0.0
        } else {
            *n as f64 * 100.0 / total as f64
        };
        let lx = left + i as u32 * 154;
        let _ = write!(
            svg,
            "<rect x=\"{lx}\" y=\"76\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"86\" fill=\"#1f2328\">{} {n} ({share:.0}%)</text>",
            PALETTE[i],
            lx + 18,
            escape(name)
        );
    }
    if total == 0 {
        let _ = write!(
            svg,
            "<text x=\"{left}\" y=\"52\" fill=\"#57606a\">no conversations</text>"
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Paired bars of medians, within and outside hours.
pub fn times(title: &str, rows: &[(&str, &Split)]) -> String {
    let (width, left, bar_max) = (640u32, 120u32, 420u32);
    let height = 48 + rows.len() as u32 * 52 + 24;
    let mut svg = String::new();
    open(&mut svg, width, height, title);
    let max = rows
        .iter()
        .flat_map(|(_, s)| [s.within_hours.median_ms, s.outside_hours.median_ms])
        .flatten()
        .max()
        .unwrap_or(0)
        .max(1);
    for (r, (name, split)) in rows.iter().enumerate() {
        let y = 40 + r as u32 * 52;
        let _ = write!(
            svg,
            "<text x=\"12\" y=\"{}\" fill=\"#1f2328\">{}</text>",
            y + 20,
            escape(name)
        );
        for (k, (stat, colour)) in [
            (&split.within_hours, PALETTE[0]),
            (&split.outside_hours, PALETTE[1]),
        ]
        .into_iter()
        .enumerate()
        {
            let by = y + k as u32 * 20;
            match stat.median_ms {
                Some(ms) => {
                    let w = ((ms as f64 / max as f64) * f64::from(bar_max))
                        .round()
                        .max(1.0) as u32;
                    let _ = write!(
                        svg,
                        "<rect x=\"{left}\" y=\"{by}\" width=\"{w}\" height=\"16\" fill=\"{colour}\"/>\
                         <text x=\"{}\" y=\"{}\" fill=\"#1f2328\">{} (n={})</text>",
                        left + w + 6,
                        by + 12,
                        super::markdown::duration(ms),
                        stat.count
                    );
                }
                None => {
                    let _ = write!(
                        svg,
                        "<text x=\"{left}\" y=\"{}\" fill=\"#57606a\">–</text>",
                        by + 12
                    );
                }
            }
        }
    }
    let ly = height - 16;
    let _ = write!(
        svg,
        "<rect x=\"{left}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" fill=\"#1f2328\">within hours</text>\
         <rect x=\"{}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" fill=\"#1f2328\">outside hours</text>",
        PALETTE[0],
        left + 18,
        ly + 10,
        left + 140,
        PALETTE[1],
        left + 158,
        ly + 10
    );
    svg.push_str("</svg>");
    svg
}

/// `2026-W49` stays; a run of days shows its first day.
fn short_week(label: &str) -> &str {
    label.split("..").next().unwrap_or(label)
}

fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(chars - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_charts_is_escaped_and_nothing_is_scripted() {
        let svg = columns(
            "<script>alert(1)</script>",
            &["2026-W49".into()],
            &[("a\"><script>x</script>".into(), vec![3])],
        );
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let bar = stacked_bar("ledger", &[("a", 0), ("b", 0)]);
        assert!(bar.contains("no conversations"));
    }
}
