//! The Markdown reader on the shapes guides take.

use super::front_matter::*;
use super::sections::*;
use super::text::*;
use super::tool_markup::*;
use super::*;

/// Markdown as HTML, sanitized with ammonia: what raw HTML in guides becomes once rendered (the
/// site's renderer, `site/article.rs`, sanitizes the same way).
fn render_html(markdown: &str) -> String {
    let cleaned = clean_tool_markup(markdown);
    let mut html = String::with_capacity(cleaned.len() * 2);
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(&cleaned, parser_options()),
    );
    ammonia::Builder::default()
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .clean(&html)
        .to_string()
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("카드 수수료 (VAT 별도)"), "카드-수수료-vat-별도");
    assert_eq!(
        slug("Error PAY-1001: limit exceeded"),
        "error-pay-1001-limit-exceeded"
    );
    assert_eq!(slug("`astro:content`"), "astrocontent");
    assert_eq!(slug("snake_case & more"), "snake_case--more");
    // In a code span `<Picture />` is the name of the component the section documents, shown
    // to readers as those characters (Astro's reference pages are headed so), and Astro's own
    // anchor is `picture-`: it is text, not markup, and stays. Written bare, a component is
    // something the page renders instead of text, so it is dropped like any other tool markup
    // (silently: in MDX that is how a heading gets a badge, not a mistake worth a warning).
    let b = parse_body("### `<Picture />`\n\nText.\n", 1);
    assert_eq!(b.anchors, ["picture-"]);
    assert_eq!(b.sections[0].heading, "<Picture />");
    assert!(b.heading_html.is_empty());
    let b = parse_body(
        "### Using <Picture /> here <Badge text=\"new\" />\n\nText.\n",
        1,
    );
    assert_eq!(b.anchors, ["using-here"]);
    assert_eq!(b.sections[0].heading, "Using here");
    assert!(b.heading_html.is_empty());
    // An MDX tab whose fences are indented unevenly must not swallow the next heading.
    let b = parse_body(
        "<Tabs>\n  <TabItem>\n    ```ts\n    code\n\n    more\n  ```\n  </TabItem>\n</Tabs>\n\n### Next\n\nText.\n",
        1,
    );
    assert_eq!(b.anchors, ["next"]);
}

#[test]
fn front_matter_yaml_toml_none_and_unclosed() {
    let s = split_front_matter("---\ntitle: a\n---\nbody\n").expect("yaml");
    assert_eq!(s.front.as_ref().map(|f| f.text), Some("title: a\n"));
    assert_eq!(s.body, "body\n");
    assert_eq!(s.body_first_line, 4);
    let s = split_front_matter("+++\ntitle = 'a'\n+++\nbody").expect("toml");
    assert_eq!(s.front.map(|f| f.format), Some(FrontMatterFormat::Toml));
    let s = split_front_matter("# Title\n").expect("none");
    assert!(s.front.is_none());
    assert!(split_front_matter("---\ntitle: a\nbody\n").is_err());
}

#[test]
fn sections_anchors_and_lines() {
    let body = "Intro text.\n\n## First step\n\nDo [this](other.md#x).\n\n### Detail\n\nMore.\n\n## First step\n\n![shot](img.png)\n";
    let b = parse_body(body, 5);
    let headings: Vec<_> = b
        .sections
        .iter()
        .map(|s| (s.heading.as_str(), s.anchor.as_str(), s.line))
        .collect();
    assert_eq!(
        headings,
        [
            ("", "", 5),
            ("First step", "first-step", 7),
            ("Detail", "detail", 11),
            ("First step", "first-step-1", 15)
        ]
    );
    assert_eq!(b.sections[1].text, "Do this.");
    assert_eq!(
        b.references[0],
        Reference {
            dest: "other.md#x".into(),
            line: 9,
            image: false
        }
    );
    assert_eq!(b.references[1].line, 17);
    assert!(b.references[1].image);
}

#[test]
fn tool_markup_does_not_leak() {
    let body = "import Tabs from '@astrojs/starlight/components';\nexport const meta = {\n  a: 1,\n};\n\n\
<!-- hidden comment -->\n:::note[Heads up]\nKeep this text.\n:::\n\n<Tabs>\n<TabItem label=\"npm\">\n\nRun it {/* mdx comment */} now.\n\n</TabItem>\n</Tabs>\n\n\
{{< figure src=\"x.png\" >}}\nHugo text.\n\n<Card\n  title=\"x\"\n/>\n\n```js\nimport x from 'y';\n```\n";
    let b = parse_body(body, 1);
    let text: String = b
        .sections
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        text,
        "Keep this text.\nRun it  now.\nHugo text.\nimport x from 'y';"
    );
}

#[test]
fn rendered_html_is_sanitized() {
    let html = render_html(
        "## Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))",
    );
    assert!(
        html.contains("<h2>Hi</h2>") || html.contains("<h2 id"),
        "{html}"
    );
    assert!(!html.contains("script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
}

#[test]
fn plain_text_drops_raw_html_and_its_scripts() {
    let t = inline_text("환불 안내<script>alert(1)</script>");
    assert_eq!(
        t,
        PlainText {
            text: "환불 안내".into(),
            html: vec!["<script>".into()]
        }
    );
    assert_eq!(plain_text("Refund <img src=x onerror=alert(1)>"), "Refund");
    let t =
        inline_text("<b onclick=\"alert(1)\">Bold</b> and <SCRIPT src=x>x()</SCRIPT> <i>it</i>");
    assert_eq!(t.text, "Bold and it");
    assert_eq!(t.html, ["<b>", "<SCRIPT>", "<i>"]);
    assert_eq!(plain_text("a <style>p { color: red }</style>b"), "a b");
    // An element never closed hides the rest of the line, as a browser would.
    assert_eq!(plain_text("a <script>b c"), "a");
    assert_eq!(plain_text("line<br>break"), "line break");
    // Comments show nothing and are not worth a warning: the body drops them before parsing.
    assert_eq!(
        inline_text("a <!-- note --> b"),
        PlainText {
            text: "a b".into(),
            html: vec![]
        }
    );
}

#[test]
fn plain_text_keeps_what_readers_see() {
    // Entities are text: the reader sees `<b>`, and so does the index.
    assert_eq!(
        inline_text("&lt;b&gt; tags &amp; more"),
        PlainText {
            text: "<b> tags & more".into(),
            html: vec![]
        }
    );
    assert_eq!(
        plain_text("See [the refund guide](refund.md#x)"),
        "See the refund guide"
    );
    assert_eq!(
        plain_text("![Refund *button*](x.png) <https://a.example>"),
        "Refund button https://a.example"
    );
    assert_eq!(
        plain_text("*em* **strong** ~~del~~ _under_"),
        "em strong del under"
    );
    assert_eq!(
        plain_text("The `<Picture />` component"),
        "The <Picture /> component"
    );
    assert_eq!(
        plain_text("`astro:content` \\*literal\\*"),
        "astro:content *literal*"
    );
    for korean in [
        "결제 취소와 환불",
        "비밀번호를 바꾸려면 어떻게 하나요?",
        "카드 수수료 (VAT 별도)",
    ] {
        assert_eq!(plain_text(korean), korean);
    }
    // Read as inline text only: nothing here is a list, a rule, a definition or a heading id.
    for literal in [
        "1. Setup",
        "- item",
        "---",
        "> quoted",
        "[a]: b",
        "Issue #",
        "C#",
        "# Title",
        "Setup {#custom}",
        "Neon Postgres & Astro",
    ] {
        assert_eq!(plain_text(literal), literal);
    }
    assert_eq!(
        plain_text("  two\n lines\t and  spaces "),
        "two lines and spaces"
    );
    assert_eq!(
        inline_text("<script>alert(1)</script>"),
        PlainText {
            text: String::new(),
            html: vec!["<script>".into()]
        }
    );
    assert_eq!(plain_text(""), "");
}

#[test]
fn headings_are_plain_text_with_anchors_from_it() {
    let body = "## Refund <img src=x onerror=alert(1)>\n\nText.\n\n## Fees <script>alert(1)</script>\n\nMore.\n\n\
Limits <b>now</b>\n---\n\nX.\n\n#### Small <i>print</i>\n\nY.\n";
    let b = parse_body(body, 3);
    let headings: Vec<_> = b
        .sections
        .iter()
        .map(|s| (s.heading.as_str(), s.anchor.as_str(), s.line))
        .collect();
    assert_eq!(
        headings,
        [
            ("Refund", "refund", 3),
            ("Fees", "fees", 7),
            ("Limits now", "limits-now", 11)
        ]
    );
    assert_eq!(b.anchors, ["refund", "fees", "limits-now", "small-print"]);
    assert_eq!(b.sections[2].text, "X.\nSmall print\nY.");
    let html: Vec<(usize, Vec<&str>)> = b
        .heading_html
        .iter()
        .map(|(line, tags)| (*line, tags.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        html,
        [
            (3, vec!["<img>"]),
            (7, vec!["<script>"]),
            (11, vec!["<b>"]),
            (16, vec!["<i>"])
        ]
    );
    // Outside headings inline scripts are still removed before parsing, as before.
    let b = parse_body("Text <script>alert(1)</script> more.\n", 1);
    assert_eq!(b.sections[0].text, "Text  more.");
}

mod properties {
    use proptest::prelude::*;

    use super::super::{inline_text, plain_text};

    /// One piece of a title: the source, and the text a reader sees of it (`None` for raw HTML,
    /// which shows nothing).
    fn piece() -> impl Strategy<Value = (String, Option<String>)> {
        let word = "[a-zA-Z0-9가-힣]{1,8}".prop_map(|w| (w.clone(), Some(w)));
        let name = prop::sample::select(vec![
            "img", "b", "i", "a", "span", "div", "svg", "iframe", "p", "Card", "x-widget",
        ]);
        let attribute = prop::sample::select(vec![
            "",
            " src=x",
            " onerror=alert(1)",
            " onload=\"alert(1)\"",
            " href='javascript:alert(1)'",
            " class=\"a b\"",
            " hidden",
            " style=\"color:red\"",
        ]);
        let tag = (name, prop::collection::vec(attribute, 0..3), 0..3u8).prop_map(
            |(name, attributes, form)| {
                let attributes = attributes.concat();
                let tag = match form {
                    0 => format!("<{name}{attributes}>"),
                    1 => format!("<{name}{attributes} />"),
                    _ => format!("</{name}>"),
                };
                (tag, None)
            },
        );
        let element = (
            prop::sample::select(vec!["script", "style", "SCRIPT"]),
            prop::collection::vec(
                prop_oneof![
                    "[a-z가-힣]{1,6}",
                    Just("alert(1);".to_string()),
                    Just("a<b".to_string()),
                    Just("x > y".to_string())
                ],
                0..4,
            ),
        )
            .prop_map(|(name, content)| (format!("<{name}>{}</{name}>", content.join(" ")), None));
        let comment = "[a-z ]{0,8}".prop_map(|c| (format!("<!--{c}-->"), None));
        let br = Just(("<br>".to_string(), Some(" ".to_string())));
        prop_oneof![4 => word, 3 => tag, 1 => element, 1 => comment, 1 => br]
    }

    proptest! {
        /// Words mixed with raw HTML come out as exactly the words: nothing of a tag (no `<`, no
        /// `onerror=`, no script) is left, and reading the result again changes nothing.
        #[test]
        fn words_survive_and_tags_do_not(
            pieces in prop::collection::vec((piece(), prop::sample::select(vec!["", " ", "  ", "\n"])), 0..12)
        ) {
            let mut source = String::new();
            let mut shown = String::new();
            for ((piece, text), separator) in &pieces {
                source.push_str(piece);
                source.push_str(separator);
                shown.push_str(text.as_deref().unwrap_or(""));
                shown.push_str(separator);
            }
            let out = inline_text(&source);
            prop_assert_eq!(&out.text, &super::super::collapse_whitespace(&shown));
            prop_assert!(!out.text.contains('<') && !out.text.contains('>'), "{}", out.text);
            prop_assert!(!out.text.contains("onerror="));
            let had_tags = pieces.iter().any(|((p, t), _)| t.is_none() && !p.starts_with("<!--"))
                || pieces.iter().any(|((p, _), _)| p == "<br>");
            prop_assert_eq!(!out.html.is_empty(), had_tags);
            prop_assert_eq!(plain_text(&out.text), out.text.clone());
        }

        /// Anything at all: no panic, and the result is one trimmed line of single spaces.
        #[test]
        fn any_text_gives_one_clean_line(source in any::<String>()) {
            let out = plain_text(&source);
            prop_assert!(!out.contains(['\n', '\r']) && !out.contains("  "), "{:?}", out);
            prop_assert_eq!(out.trim(), out.as_str());
        }

        /// Markdown punctuation in any mix, as titles are written: no panic, clean line.
        #[test]
        fn markdown_punctuation_gives_one_clean_line(source in "[a<>/=\"'`*_\\[\\]()!#&;\\\\ \n-]{0,40}") {
            let out = plain_text(&source);
            prop_assert!(!out.contains('\n') && !out.contains("  "), "{:?}", out);
        }
    }
}
