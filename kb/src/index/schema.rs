//! The index's fields and tokenizers, and the page and section documents of a guide.

use crate::analysis::{Analyzer, BatonTokenizer};
use crate::error::{Error, Result};
use crate::guide::Guide;
use std::path::PathBuf;
use tantivy::TantivyDocument;
use tantivy::schema::{Field, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TokenizerManager;

/// The fields of Baton's schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub text: Field,
    pub bigram: Field,
    pub path: Field,
    pub meta: Field,
    pub body: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analyzed = |analyzer: Analyzer| {
        // Frequencies without positions: Baton never runs phrase queries, and positions would
        // double the postings size.
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer.name())
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        text: builder.add_text_field("text", analyzed(Analyzer::Text)),
        bigram: builder.add_text_field("bigram", analyzed(Analyzer::Bigram)),
        path: builder.add_text_field("path", analyzed(Analyzer::Text)),
        meta: builder.add_text_field("meta", analyzed(Analyzer::Text)),
        body: builder.add_text_field("body", STORED),
    };
    (builder.build(), fields)
}

pub(crate) fn fields_of(schema: &Schema) -> Result<Fields> {
    let get = |name: &str| {
        schema.get_field(name).map_err(|_| Error::Index {
            path: PathBuf::new(),
            message: format!("schema has no field \"{name}\""),
        })
    };
    Ok(Fields {
        text: get("text")?,
        bigram: get("bigram")?,
        path: get("path")?,
        meta: get("meta")?,
        body: get("body")?,
    })
}

pub(super) fn tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    for analyzer in [Analyzer::Text, Analyzer::Bigram] {
        manager.register(analyzer.name(), BatonTokenizer(analyzer));
    }
    manager
}

pub(super) fn page_document(fields: &Fields, guide: &Guide) -> TantivyDocument {
    let mut text = String::new();
    for _ in 0..2 {
        text.push_str(&guide.title);
        text.push('\n');
        for section in &guide.sections {
            text.push_str(&section.heading);
            text.push('\n');
        }
    }
    if let Some(description) = &guide.description {
        text.push_str(description);
        text.push('\n');
    }
    for section in &guide.sections {
        text.push_str(&section.text);
        text.push('\n');
    }
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.bigram, &text);
    doc.add_text(fields.text, text);
    doc.add_text(fields.path, guide.path_words());
    let meta: Vec<&str> = guide
        .questions
        .iter()
        .chain(&guide.tags)
        .map(String::as_str)
        .collect();
    doc.add_text(fields.meta, meta.join("\n"));
    doc
}

pub(super) fn section_document(
    fields: &Fields,
    guide: &Guide,
    section: &crate::markdown::Section,
) -> TantivyDocument {
    let text = format!(
        "{}\n{h}\n{h}\n{}",
        guide.title,
        section.text,
        h = section.heading
    );
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.bigram, &text);
    doc.add_text(fields.text, text);
    doc.add_text(fields.body, &section.text);
    doc
}
