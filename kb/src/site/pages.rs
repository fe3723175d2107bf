//! What each page of the help center shows: home, topic and kind lists, articles, the language
//! chooser, 404 and the sitemap, each a template of the theme filled from the parsed guides.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use minijinja::{Environment, UndefinedBehavior};
use rayon::prelude::*;
use serde::Serialize;

use super::{I18N, STATIC_FILES, Writer, article, template_error, theme};
use crate::error::{IoContext, Result};
use crate::guide::{Corpus, Guide, Lang, translations};
use crate::links::Lookup;
use crate::markdown::escape_html;
use theme::Theme;

/// Most related guides an article lists.
const RELATED: usize = 6;
/// Guides on a home page's "popular" list.
const POPULAR: usize = 8;

/// How guides are browsed: by product area (`{lang}/areas/…`) or by kind (`{lang}/kinds/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facet {
    Area,
    Kind,
}

impl Facet {
    const ALL: [Facet; 2] = [Facet::Area, Facet::Kind];

    /// A guide's value of this facet.
    fn of(self, guide: &Guide) -> Option<&String> {
        match self {
            Facet::Area => guide.area.as_ref(),
            Facet::Kind => guide.category.as_ref(),
        }
    }

    /// The facet a list page groups its guides by.
    fn other(self) -> Facet {
        match self {
            Facet::Area => Facet::Kind,
            Facet::Kind => Facet::Area,
        }
    }

    /// The page listing the guides of `value` in `lang`.
    fn page(self, lang: Lang, value: &str) -> String {
        let segment = match self {
            Facet::Area => "areas",
            Facet::Kind => "kinds",
        };
        format!("{}/{segment}/{value}.html", lang.code())
    }
}

/// A language's home page.
fn inquiries_page_path(lang: Lang) -> String {
    format!("{}/inquiries.html", lang.code())
}

fn home_page_path(lang: Lang) -> String {
    format!("{}/index.html", lang.code())
}

/// A link to a guide as lists show it.
#[derive(Debug, Clone, Serialize)]
struct GuideLink {
    href: String,
    title: String,
    lang: Lang,
    description: Option<String>,
}

/// A browse entry (topic or kind).
#[derive(Debug, Clone, Serialize)]
struct Browse {
    href: String,
    label: String,
    count: usize,
    count_label: String,
}

/// The language switch: a language and where it leads from the current page.
#[derive(Debug, Clone, Serialize)]
struct LangLink {
    code: Lang,
    name: String,
    href: String,
    /// The language's UI strings (the chooser shows each language's own words).
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
struct Alternate {
    lang: Lang,
    href: String,
}

/// One guide's page, rendered.
struct RenderedGuide {
    path: String,
    html: String,
    alternates: Vec<Alternate>,
    files: Vec<PathBuf>,
}

/// Everything one render needs, computed once.
pub(super) struct Site<'a> {
    corpus: &'a Corpus,
    theme: &'a Theme,
    url: String,
    root: String,
    env: Environment<'static>,
    langs: Vec<Lang>,
    i18n: HashMap<Lang, serde_json::Value>,
    translations: HashMap<String, String>,
    lookup: Lookup<'a>,
    /// Guides linked to from other guides, by how many: the "popular" list before there is traffic.
    inbound: HashMap<&'a str, usize>,
}

impl<'a> Site<'a> {
    pub(super) fn new(corpus: &'a Corpus, theme: &'a Theme, url: String) -> Result<Site<'a>> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        // minijinja's HTML escaping also escapes `/`, which turns every URL into `&#x2f;`
        // soup; the five characters that matter in text and quoted attributes are enough.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::Html
                && value.kind() == minijinja::value::ValueKind::String
                && !value.is_safe()
            {
                let text = value.as_str().unwrap_or_default();
                out.write_str(&escape_html(text)).map_err(|e| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
                })
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        for (name, source) in &theme.templates {
            env.add_template_owned(name.clone(), source.clone())
                .map_err(|e| template_error(name, &e))?;
        }
        let i18n = I18N
            .iter()
            .map(|(lang, text)| {
                let value: serde_json::Value =
                    serde_json::from_str(text).expect("the translation files parse");
                (*lang, value)
            })
            .collect();
        let langs: Vec<Lang> = Lang::ALL
            .into_iter()
            .filter(|l| corpus.guides.iter().any(|g| g.lang == *l))
            .collect();
        let lookup = Lookup::new(&corpus.guides);
        let mut inbound: HashMap<&str, usize> = HashMap::new();
        for guide in &corpus.guides {
            let mut seen = BTreeSet::new();
            for reference in guide.references.iter().filter(|r| !r.image) {
                if let crate::links::Target::Guide { candidates, .. } =
                    crate::links::resolve(&guide.rel_path, &guide.id, &reference.dest)
                    && let Some(target) = lookup.find(&candidates)
                    && target.id != guide.id
                    && seen.insert(target.id.as_str())
                {
                    *inbound.entry(target.id.as_str()).or_default() += 1;
                }
            }
        }
        Ok(Site {
            corpus,
            theme,
            url,
            root: "/".into(),
            env,
            langs,
            i18n,
            translations: translations(&corpus.guides),
            lookup,
            inbound,
        })
    }

    pub(super) fn write_all(&self, w: &mut Writer) -> Result<()> {
        let mut sitemap: Vec<(String, Vec<Alternate>)> = Vec::new();
        let mut files: BTreeSet<PathBuf> = BTreeSet::new();
        // Parsing and sanitizing every guide is most of the work: on every core, written in order.
        let pages: Vec<Result<RenderedGuide>> = self
            .corpus
            .guides
            .par_iter()
            .map(|guide| {
                let article = article::render(guide, &self.lookup, &self.corpus.files, &self.root);
                let alternates = self.alternates_of_guide(guide);
                let html = self.article_page(guide, &article.html, &alternates)?;
                Ok(RenderedGuide {
                    path: article::page_path(guide),
                    html,
                    alternates,
                    files: article.files,
                })
            })
            .collect();
        for page in pages {
            let RenderedGuide {
                path,
                html,
                alternates,
                files: used,
            } = page?;
            files.extend(used);
            w.page(&path, &html)?;
            sitemap.push((path, alternates));
        }
        for &lang in &self.langs {
            let path = home_page_path(lang);
            let alternates = self.alternates(|l| Some(home_page_path(l)));
            w.page(&path, &self.home_page(lang, &path, &alternates)?)?;
            sitemap.push((path, alternates));
            for (path, html, alternates) in self.list_pages(lang)? {
                w.page(&path, &html)?;
                sitemap.push((path, alternates));
            }
        }
        for &lang in &self.langs {
            // A business customer's space: reached by the site's link, never indexed.
            let base = self.base(
                lang,
                "org",
                None,
                &[],
                self.languages(|l| Some(format!("{}/org.html", l.code()))),
            );
            w.page(
                &format!("{}/org.html", lang.code()),
                &self.render("org.html", base, serde_json::json!({}))?,
            )?;
            let path = inquiries_page_path(lang);
            w.page(&path, &self.inquiries_page(lang)?)?;
            sitemap.push((path, self.alternates(|l| Some(inquiries_page_path(l)))));
        }
        let first = self.langs.first().copied().unwrap_or(Lang::En);
        w.page("index.html", &self.chooser_page(first)?)?;
        w.page("404.html", &self.not_found_page(first)?)?;
        for file in &files {
            let source = self.corpus.root.join(file);
            let bytes = std::fs::read(&source).at(&source)?;
            w.file(
                &format!("files/{}", file.to_string_lossy().replace('\\', "/")),
                &bytes,
            )?;
        }
        for (path, text) in STATIC_FILES {
            w.file(path, text.as_bytes())?;
        }
        w.file("assets/theme.css", self.theme.css().as_bytes())?;
        w.file(
            "console/saved-replies.json",
            self.theme.saved_replies.as_bytes(),
        )?;
        w.file(&format!("assets/{}", self.theme.logo.0), &self.theme.logo.1)?;
        for (lang, text) in I18N {
            w.file(&format!("i18n/{}.json", lang.code()), text.as_bytes())?;
        }
        w.file("sitemap.xml", self.sitemap(&sitemap).as_bytes())?;
        w.file(
            "robots.txt",
            format!("User-agent: *\nAllow: /\nDisallow: /console/\nDisallow: /api/\nSitemap: {}/sitemap.xml\n", self.url)
                .as_bytes(),
        )?;
        Ok(())
    }

    fn t(&self, lang: Lang) -> &serde_json::Value {
        &self.i18n[&lang]
    }

    fn text(&self, lang: Lang, key: &str) -> String {
        self.t(lang)
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(key)
            .to_string()
    }

    fn other(&self, lang: Lang) -> Lang {
        Lang::ALL.into_iter().find(|&l| l != lang).unwrap_or(lang)
    }

    fn absolute(&self, path: &str) -> String {
        format!("{}{}{path}", self.url, self.root)
    }

    /// `hreflang` alternates of a page that exists in the languages `path_in` names.
    fn alternates(&self, path_in: impl Fn(Lang) -> Option<String>) -> Vec<Alternate> {
        self.langs
            .iter()
            .filter_map(|&l| {
                path_in(l).map(|path| Alternate {
                    lang: l,
                    href: self.absolute(&path),
                })
            })
            .collect()
    }

    fn alternates_of_guide(&self, guide: &Guide) -> Vec<Alternate> {
        if self.translation(guide).is_none() {
            return Vec::new();
        }
        self.alternates(|l| self.guide_in(guide, l).map(article::page_path))
    }

    /// `guide` in `lang`: itself, or its translation.
    fn guide_in<'g>(&self, guide: &'g Guide, lang: Lang) -> Option<&'g Guide>
    where
        'a: 'g,
    {
        if guide.lang == lang {
            Some(guide)
        } else {
            self.translation(guide).filter(|t| t.lang == lang)
        }
    }

    fn translation(&self, guide: &Guide) -> Option<&'a Guide> {
        self.translations
            .get(&guide.id)
            .and_then(|id| self.lookup.by_id(id))
            .filter(|g| g.lang != guide.lang)
    }

    fn link(&self, guide: &Guide) -> GuideLink {
        GuideLink {
            href: article::page_path(guide),
            title: guide.title.clone(),
            lang: guide.lang,
            description: guide.description.clone(),
        }
    }

    /// The language switch from a page: to `path_in(lang)` where it exists, else that language's home.
    fn languages(&self, path_in: impl Fn(Lang) -> Option<String>) -> Vec<LangLink> {
        self.langs
            .iter()
            .map(|&l| LangLink {
                code: l,
                name: self.text(l, "lang_name"),
                href: format!(
                    "{}{}",
                    self.root,
                    path_in(l).unwrap_or_else(|| home_page_path(l))
                ),
                t: None,
            })
            .collect()
    }

    /// The context every page shares.
    fn base(
        &self,
        lang: Lang,
        page: &str,
        canonical: Option<String>,
        alternates: &[Alternate],
        languages: Vec<LangLink>,
    ) -> serde_json::Map<String, serde_json::Value> {
        let context = serde_json::json!({
            "lang": lang,
            "page": page,
            "root": self.root,
            "site_name": self.theme.name.get(lang),
            "site_description": self.theme.description.get(lang),
            "logo": self.theme.logo.0,
            "t": self.t(lang),
            "canonical": canonical,
            "alternates": alternates,
            "languages": languages,
            "footer": self.theme.footer.iter().map(|f| serde_json::json!({
                "label": f.label.get(lang), "href": f.href,
            })).collect::<Vec<_>>(),
            "footer_note": self.theme.footer_note.get(lang),
        });
        match context {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a json object"),
        }
    }

    fn render(
        &self,
        name: &str,
        mut context: serde_json::Map<String, serde_json::Value>,
        extra: serde_json::Value,
    ) -> Result<String> {
        if let serde_json::Value::Object(extra) = extra {
            context.extend(extra);
        }
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, &e))?;
        template
            .render(serde_json::Value::Object(context))
            .map_err(|e| template_error(name, &e))
    }

    fn article_page(&self, guide: &Guide, body: &str, alternates: &[Alternate]) -> Result<String> {
        let lang = guide.lang;
        let path = article::page_path(guide);
        let translation = self.translation(guide);
        let languages = self.languages(|l| self.guide_in(guide, l).map(article::page_path));
        let area = guide.area.as_ref().map(|a| {
            serde_json::json!({
                "href": Facet::Area.page(lang, a),
                "label": self.facet_label(Facet::Area, a, lang),
            })
        });
        let mut related: Vec<&Guide> = self
            .corpus
            .guides
            .iter()
            .filter(|g| {
                g.id != guide.id && g.lang == lang && g.area.is_some() && g.area == guide.area
            })
            .collect();
        related.sort_by_key(|g| (g.category != guide.category, g.title.clone()));
        let toc: Vec<_> = guide
            .sections
            .iter()
            .filter(|s| (2..=3).contains(&s.level) && !s.anchor.is_empty())
            .map(
                |s| serde_json::json!({"level": s.level, "anchor": s.anchor, "heading": s.heading}),
            )
            .collect();
        let other = self.other(lang);
        let base = self.base(
            lang,
            "article",
            Some(self.absolute(&path)),
            alternates,
            languages,
        );
        self.render(
            "article.html",
            base,
            serde_json::json!({
                "guide": {
                    "id": guide.id, "title": guide.title, "description": guide.description,
                    "updated": guide.updated, "area": guide.area, "category": guide.category,
                },
                "body": body,
                "area": area,
                "category": guide.category.as_ref().map(|c| self.facet_label(Facet::Kind, c, lang)),
                "toc": toc,
                "related": related.into_iter().take(RELATED).map(|g| self.link(g)).collect::<Vec<_>>(),
                "translation": translation.map(|t| serde_json::json!({
                    "href": article::page_path(t), "lang": t.lang,
                    "label": self.text(t.lang, "help.other_language"),
                })),
                "other_lang": other,
                "only_this_language": self.text(other, "help.only_other_language"),
            }),
        )
    }

    /// How a facet's value is called: the theme's area names, the UI strings' kind names.
    fn facet_label(&self, facet: Facet, value: &str, lang: Lang) -> String {
        match facet {
            Facet::Area => self.theme.area_label(value, lang),
            Facet::Kind => {
                let key = format!("category.{value}");
                let label = self.text(lang, &key);
                if label == key {
                    theme::title_case(value)
                } else {
                    label
                }
            }
        }
    }

    /// The values a facet may take, in the order `kb.toml` lists them.
    fn order(&self, facet: Facet) -> &[String] {
        match facet {
            Facet::Area => &self.corpus.config.areas,
            Facet::Kind => &self.corpus.config.categories,
        }
    }

    /// A facet's values in a language, with counts, in the order `kb.toml` lists them.
    fn browse(&self, lang: Lang, facet: Facet) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for guide in self.corpus.guides.iter().filter(|g| g.lang == lang) {
            if let Some(value) = facet.of(guide) {
                *counts.entry(value.as_str()).or_default() += 1;
            }
        }
        let mut out: Vec<(String, usize)> = self
            .order(facet)
            .iter()
            .filter_map(|v| counts.remove(v.as_str()).map(|c| (v.clone(), c)))
            .collect();
        out.extend(counts.into_iter().map(|(v, c)| (v.to_string(), c)));
        out
    }

    fn home_page(&self, lang: Lang, path: &str, alternates: &[Alternate]) -> Result<String> {
        let count_label = |count: usize| {
            self.text(lang, "help.guides_count")
                .replace("{count}", &count.to_string())
        };
        let browse = |facet: Facet| -> Vec<Browse> {
            self.browse(lang, facet)
                .into_iter()
                .map(|(value, count)| Browse {
                    href: facet.page(lang, &value),
                    label: self.facet_label(facet, &value, lang),
                    count,
                    count_label: count_label(count),
                })
                .collect()
        };
        let mut popular: Vec<&Guide> = self
            .corpus
            .guides
            .iter()
            .filter(|g| g.lang == lang && self.inbound.contains_key(g.id.as_str()))
            .collect();
        popular.sort_by_key(|g| {
            (
                std::cmp::Reverse(self.inbound[g.id.as_str()]),
                g.title.clone(),
            )
        });
        let languages = self.languages(|l| Some(home_page_path(l)));
        let base = self.base(
            lang,
            "home",
            Some(self.absolute(path)),
            alternates,
            languages,
        );
        self.render(
            "home.html",
            base,
            serde_json::json!({
                "areas": browse(Facet::Area),
                "categories": browse(Facet::Kind),
                "popular": popular.into_iter().take(POPULAR).map(|g| self.link(g)).collect::<Vec<_>>(),
            }),
        )
    }

    /// Topic and kind pages of one language: (path, html, alternates).
    fn list_pages(&self, lang: Lang) -> Result<Vec<(String, String, Vec<Alternate>)>> {
        let mut pages = Vec::new();
        let other = self.other(lang);
        for facet in Facet::ALL {
            let group_by = facet.other();
            for (value, _) in self.browse(lang, facet) {
                let path = facet.page(lang, &value);
                let heading = self.facet_label(facet, &value, lang);
                // This language's guides, and the other language's that have no translation here.
                let members: Vec<&Guide> = self
                    .corpus
                    .guides
                    .iter()
                    .filter(|g| facet.of(g) == Some(&value))
                    .filter(|g| {
                        g.lang == lang || (g.lang == other && self.translation(g).is_none())
                    })
                    .collect();
                let mut groups: BTreeMap<(usize, String), Vec<&Guide>> = BTreeMap::new();
                for guide in members {
                    let key = group_by.of(guide).cloned().unwrap_or_default();
                    let rank = self
                        .order(group_by)
                        .iter()
                        .position(|v| *v == key)
                        .unwrap_or(usize::MAX);
                    groups.entry((rank, key)).or_default().push(guide);
                }
                let groups: Vec<_> = groups
                    .into_iter()
                    .map(|((_, key), mut guides)| {
                        guides.sort_by_key(|g| (g.lang != lang, g.title.clone()));
                        let label = if key.is_empty() {
                            String::new()
                        } else {
                            self.facet_label(group_by, &key, lang)
                        };
                        serde_json::json!({
                            "label": label,
                            "guides": guides.into_iter().map(|g| self.link(g)).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                let exists_in = |l: Lang| {
                    self.corpus
                        .guides
                        .iter()
                        .any(|g| g.lang == l && facet.of(g) == Some(&value))
                        .then(|| facet.page(l, &value))
                };
                let alternates = self.alternates(exists_in);
                let languages = self.languages(exists_in);
                let base = self.base(
                    lang,
                    "list",
                    Some(self.absolute(&path)),
                    &alternates,
                    languages,
                );
                let html = self.render(
                    "list.html",
                    base,
                    serde_json::json!({"heading": heading, "groups": groups}),
                )?;
                pages.push((path, html, alternates));
            }
        }
        Ok(pages)
    }

    /// The inquiry board (문의하기): the form and the customer's inquiries, driven by
    /// `assets/board.js`; the product areas of every guide, in `kb.toml`'s order, to choose from.
    fn inquiries_page(&self, lang: Lang) -> Result<String> {
        let mut areas: BTreeSet<&str> = self
            .corpus
            .guides
            .iter()
            .filter_map(|g| g.area.as_deref())
            .filter(|a| !a.is_empty())
            .collect();
        let mut ordered: Vec<&str> = self
            .corpus
            .config
            .areas
            .iter()
            .map(String::as_str)
            .filter(|a| areas.remove(a))
            .collect();
        ordered.extend(areas);
        let path = inquiries_page_path(lang);
        let alternates = self.alternates(|l| Some(inquiries_page_path(l)));
        let languages = self.languages(|l| Some(inquiries_page_path(l)));
        let base = self.base(
            lang,
            "inquiries",
            Some(self.absolute(&path)),
            &alternates,
            languages,
        );
        self.render(
            "inquiries.html",
            base,
            serde_json::json!({
                "board_areas": ordered.iter().map(|a| serde_json::json!({
                    "code": a, "label": self.theme.area_label(a, lang),
                })).collect::<Vec<_>>(),
            }),
        )
    }

    fn chooser_page(&self, lang: Lang) -> Result<String> {
        let mut languages = self.languages(|l| Some(home_page_path(l)));
        for language in &mut languages {
            language.t = Some(self.t(language.code).clone());
        }
        let alternates = self.alternates(|l| Some(home_page_path(l)));
        let base = self.base(
            lang,
            "chooser",
            Some(self.absolute("index.html")),
            &alternates,
            languages,
        );
        self.render("chooser.html", base, serde_json::json!({}))
    }

    fn not_found_page(&self, lang: Lang) -> Result<String> {
        let languages = self.languages(|l| Some(home_page_path(l)));
        let base = self.base(lang, "not-found", None, &[], languages);
        self.render("not_found.html", base, serde_json::json!({}))
    }

    fn sitemap(&self, pages: &[(String, Vec<Alternate>)]) -> String {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
        );
        for (path, alternates) in pages {
            xml.push_str(&format!(
                "  <url><loc>{}</loc>",
                escape_html(&self.absolute(path))
            ));
            for alt in alternates {
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    alt.lang.code(),
                    escape_html(&alt.href)
                ));
            }
            xml.push_str("</url>\n");
        }
        xml.push_str("</urlset>\n");
        xml
    }
}
