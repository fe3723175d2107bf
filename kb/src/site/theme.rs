//! A team's brand for the help center: `theme.toml` (name, logo, colors, footer links, area
//! names, the published URL) and `templates/` overriding the defaults, over Baton's default theme.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, IoContext, Result};
use crate::guide::Lang;

/// Baton's default theme settings.
const DEFAULT_THEME: &str = include_str!("../../../web/help/theme.toml");
/// The default logo.
const DEFAULT_LOGO: &[u8] = include_bytes!("../../../web/help/assets/logo.svg");

/// Every template a help center is made of, with Baton's default text.
pub const TEMPLATES: [(&str, &str); 8] = [
    (
        "base.html",
        include_str!("../../../web/help/templates/base.html"),
    ),
    (
        "home.html",
        include_str!("../../../web/help/templates/home.html"),
    ),
    (
        "list.html",
        include_str!("../../../web/help/templates/list.html"),
    ),
    (
        "article.html",
        include_str!("../../../web/help/templates/article.html"),
    ),
    (
        "chooser.html",
        include_str!("../../../web/help/templates/chooser.html"),
    ),
    (
        "not_found.html",
        include_str!("../../../web/help/templates/not_found.html"),
    ),
    (
        "inquiries.html",
        include_str!("../../../web/help/templates/inquiries.html"),
    ),
    (
        "org.html",
        include_str!("../../../web/help/templates/org.html"),
    ),
];

/// Text in one language or per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    /// The same in every language.
    One(String),
    /// Per language code (`ko`, `en`); a missing language falls back to another.
    PerLang(BTreeMap<String, String>),
}

impl Localized {
    /// The text for `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Localized::One(text) => text,
            Localized::PerLang(map) => map
                .get(lang.code())
                .or_else(|| map.values().next())
                .map_or("", String::as_str),
        }
    }
}

/// A footer link.
#[derive(Debug, Clone, Deserialize)]
pub struct FooterLink {
    /// Link text.
    pub label: Localized,
    /// Destination.
    pub href: String,
}

/// `theme.toml` as written: every key optional, so a team sets only what it changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<Localized>,
    description: Option<Localized>,
    logo: Option<String>,
    url: Option<String>,
    footer_note: Option<Localized>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
    footer: Option<Vec<FooterLink>>,
    #[serde(default)]
    areas: BTreeMap<String, Localized>,
}

/// The colors a theme may set (`[colors]`), each a CSS custom property `--<name>`.
pub const COLORS: [&str; 7] = [
    "brand",
    "brand_text",
    "text",
    "muted",
    "background",
    "surface",
    "border",
];

/// A theme: the defaults with a team's settings and templates over them.
#[derive(Debug, Clone)]
pub struct Theme {
    /// Help center name.
    pub name: Localized,
    /// One-line description (home page's meta description).
    pub description: Localized,
    /// The logo's file name and bytes.
    pub logo: (String, Vec<u8>),
    /// Published base URL, without a trailing `/`.
    pub url: String,
    /// Footer text.
    pub footer_note: Localized,
    /// Colors by name (see [`COLORS`]).
    pub colors: BTreeMap<String, String>,
    /// Footer links.
    pub footer: Vec<FooterLink>,
    /// Display names of product areas.
    pub areas: BTreeMap<String, Localized>,
    /// Template sources by name: the defaults, replaced by the theme's own.
    pub templates: BTreeMap<String, String>,
    /// The console's saved replies (`saved-replies.json`: `{"ko": [{"title", "text"}], "en": …}`).
    pub saved_replies: String,
}

/// Baton's saved replies, until a theme brings its own.
const SAVED_REPLIES: &str = include_str!("../../../web/console/saved-replies.json");

/// One saved reply, as a theme writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedReply {
    title: String,
    text: String,
}

/// The saved replies file: a list per language (and an optional `_about`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedReplies {
    #[serde(default, rename = "_about")]
    _about: Option<String>,
    ko: Vec<SavedReply>,
    en: Vec<SavedReply>,
}

impl SavedReplies {
    /// What is wrong with the file, if anything: every reply has a title and a text that fits
    /// in a reply (4096 bytes).
    fn problem(&self) -> Option<String> {
        self.ko.iter().chain(&self.en).find_map(|r| {
            if r.title.trim().is_empty() || r.text.trim().is_empty() {
                Some("every reply needs a title and a text".to_string())
            } else if r.text.len() > 4096 {
                Some(format!("\"{}\" is longer than 4096 bytes", r.title))
            } else {
                None
            }
        })
    }
}

impl Theme {
    /// Baton's default theme.
    pub fn default_theme() -> Theme {
        let file: ThemeFile = toml::from_str(DEFAULT_THEME).expect("the default theme parses");
        Theme {
            name: file.name.unwrap_or(Localized::One("Help Center".into())),
            description: file.description.unwrap_or(Localized::One(String::new())),
            logo: ("logo.svg".into(), DEFAULT_LOGO.to_vec()),
            url: file.url.unwrap_or_default(),
            footer_note: file.footer_note.unwrap_or(Localized::One(String::new())),
            colors: file.colors,
            footer: file.footer.unwrap_or_default(),
            areas: file.areas,
            templates: TEMPLATES
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect(),
            saved_replies: SAVED_REPLIES.to_string(),
        }
    }

    /// The default theme with the theme folder `dir` over it (`None`: the default alone).
    pub fn load(dir: Option<&Path>) -> Result<Theme> {
        let mut theme = Theme::default_theme();
        let Some(dir) = dir else {
            return Ok(theme);
        };
        let path = dir.join("theme.toml");
        let text = std::fs::read_to_string(&path).at(&path)?;
        let file: ThemeFile = toml::from_str(&text).map_err(|e| Error::Theme {
            path: path.clone(),
            message: e.message().to_string(),
        })?;
        for (name, value) in &file.colors {
            if !COLORS.contains(&name.as_str()) {
                return Err(Error::Theme {
                    path,
                    message: format!("unknown color \"{name}\" (known: {})", COLORS.join(", ")),
                });
            }
            if !is_css_color(value) {
                return Err(Error::Theme {
                    path,
                    message: format!(
                        "color {name} = \"{value}\": expected #rgb, #rrggbb or #rrggbbaa"
                    ),
                });
            }
        }
        if let Some(name) = file.name {
            theme.name = name;
        }
        if let Some(description) = file.description {
            theme.description = description;
        }
        if let Some(url) = file.url {
            theme.url = url;
        }
        if let Some(note) = file.footer_note {
            theme.footer_note = note;
        }
        if let Some(footer) = file.footer {
            theme.footer = footer;
        }
        theme.colors.extend(file.colors);
        theme.areas.extend(file.areas);
        if let Some(logo) = file.logo {
            let path = safe_join(dir, &logo).ok_or_else(|| Error::Theme {
                path: path.clone(),
                message: format!("logo \"{logo}\" must be a file inside the theme folder"),
            })?;
            let bytes = std::fs::read(&path).at(&path)?;
            let name = path
                .file_name()
                .map_or("logo".into(), |n| n.to_string_lossy().to_string());
            theme.logo = (name, bytes);
        }
        let replies = dir.join("saved-replies.json");
        if replies.exists() {
            let text = std::fs::read_to_string(&replies).at(&replies)?;
            let parsed = serde_json::from_str::<SavedReplies>(&text).map_err(|e| Error::Theme {
                path: replies.clone(),
                message: format!("saved replies: {e}"),
            })?;
            if let Some(message) = parsed.problem() {
                return Err(Error::Theme {
                    path: replies,
                    message: format!("saved replies: {message}"),
                });
            }
            theme.saved_replies = text;
        }
        let templates = dir.join("templates");
        if templates.is_dir() {
            for (name, _) in TEMPLATES {
                let path = templates.join(name);
                if path.exists() {
                    let text = std::fs::read_to_string(&path).at(&path)?;
                    theme.templates.insert(name.to_string(), text);
                }
            }
        }
        Ok(theme)
    }

    /// `/assets/theme.css`: the colors as CSS custom properties (a file, since the pages' CSP
    /// allows no inline styles).
    pub fn css(&self) -> String {
        let mut css = String::from(":root {\n");
        for (name, value) in &self.colors {
            // Validated on load; the default theme's are Baton's own.
            css.push_str(&format!("  --{}: {value};\n", name.replace('_', "-")));
        }
        css.push_str("}\n");
        css
    }

    /// The display name of a product area.
    pub fn area_label(&self, area: &str, lang: Lang) -> String {
        self.areas
            .get(area)
            .map(|l| l.get(lang).to_string())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| title_case(area))
    }
}

/// `payment-methods` → `Payment methods`.
pub(crate) fn title_case(slug: &str) -> String {
    let text = slug.replace(['-', '_'], " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn is_css_color(value: &str) -> bool {
    value.strip_prefix('#').is_some_and(|hex| {
        matches!(hex.len(), 3 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// `dir/rel` when `rel` stays inside `dir` (no absolute path, no `..`).
fn safe_join(dir: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    rel.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| dir.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_overrides_only_what_it_sets() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("theme.toml"),
            "name = \"Acme 고객센터\"\n[colors]\nbrand = \"#aa0000\"\n[areas]\npayments = { ko = \"결제하기\" }\n",
        )
        .expect("write");
        std::fs::create_dir(dir.path().join("templates")).expect("mkdir");
        std::fs::write(dir.path().join("templates/not_found.html"), "gone").expect("write");
        let theme = Theme::load(Some(dir.path())).expect("theme");
        assert_eq!(theme.name.get(Lang::En), "Acme 고객센터");
        assert!(theme.css().contains("--brand: #aa0000;"));
        assert!(theme.css().contains("--brand-text: #ffffff;"));
        assert_eq!(theme.area_label("payments", Lang::Ko), "결제하기");
        assert_eq!(theme.area_label("payments", Lang::En), "결제하기");
        assert_eq!(theme.area_label("gift-cards", Lang::En), "Gift cards");
        assert_eq!(theme.templates["not_found.html"], "gone");
        assert!(theme.templates["base.html"].contains("<!doctype html>"));
    }

    #[test]
    fn a_bad_theme_is_refused_with_its_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write =
            |text: &str| std::fs::write(dir.path().join("theme.toml"), text).expect("write");
        for (text, expected) in [
            (
                "[colors]\nbrand = \"red; } body { display: none\"\n",
                "expected #rgb",
            ),
            (
                "[colors]\nsparkle = \"#fff\"\n",
                "unknown color \"sparkle\"",
            ),
            ("logo = \"../../etc/passwd\"\n", "inside the theme folder"),
            ("colour = 1\n", "unknown field"),
        ] {
            write(text);
            let error = Theme::load(Some(dir.path())).expect_err(text).to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
        write("");
        let replies = dir.path().join("saved-replies.json");
        for (text, expected) in [
            ("{\"ko\": []}", "missing field `en`"),
            (
                "{\"ko\": [{\"title\": \"\", \"text\": \"x\"}], \"en\": []}",
                "a title and a text",
            ),
            ("[", "saved replies"),
        ] {
            std::fs::write(&replies, text).expect("write");
            let error = Theme::load(Some(dir.path())).expect_err(text).to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let own = "{\"ko\": [{\"title\": \"인사\", \"text\": \"안녕하세요\"}], \"en\": []}";
        std::fs::write(&replies, own).expect("write");
        assert_eq!(
            Theme::load(Some(dir.path())).expect("theme").saved_replies,
            own
        );
        assert!(
            Theme::load(None)
                .expect("default")
                .saved_replies
                .contains("\"ko\"")
        );
    }
}
