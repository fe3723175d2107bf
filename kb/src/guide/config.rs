//! A guide set's rules (`kb.toml`): its areas and categories, required fields, synonyms, intents.

use crate::error::{Error, IoContext, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The settings of a guide set, read from `kb.toml` at its root (all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Require Baton's full front matter on every guide (`id`, `title`, `lang`, `area`, `category`,
    /// `tags`, `questions`, `updated`). Off for docs brought from elsewhere.
    pub strict: bool,
    /// Allowed `area` values; empty allows any.
    pub areas: Vec<String>,
    /// Allowed `category` values; empty allows any.
    pub categories: Vec<String>,
    /// The synonyms file, relative to the guide root.
    pub synonyms: Option<PathBuf>,
    /// The intents file (urgent situations, "a person please" …), relative to the guide root;
    /// without one the bot knows only the intents every team shares (see [`crate::intents`]).
    pub intents: Option<PathBuf>,
    /// The bot's confidence model (`baton calibrate` writes it), relative to the guide root;
    /// without one, the model Baton ships ([`crate::confidence::Model::shipped`]).
    pub confidence: Option<PathBuf>,
}

impl Config {
    /// The name of the settings file at a guide root.
    pub const FILE: &'static str = "kb.toml";

    /// Reads `kb.toml` from `root`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(Self::FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::Config {
                path,
                message: e.message().to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).at(path),
        }
    }
}
