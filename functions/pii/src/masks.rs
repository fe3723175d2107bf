//! The tokens masking writes, in one place: [`super::without_masks`] takes them out, and the
//! windows that look for a word near a number (bank words, passport words) stop at the ones
//! without digits, as they stop at digits.

use std::sync::LazyLock;

use regex::Regex;

/// What the new message of [`super::mask_continued`] shows in place of the end of a number whose
/// start was in the previous message (which shows the number's own mask).
pub const CONTINUED: &str = "[…continued]";

/// The masks without digits: the text they replaced always had digits (a resident number, a CVV,
/// an expiry, a driver's licence, a passport number, the rest of a cut number) or is masked
/// before anything looks for words (an e-mail address). So a window that stops at digits in the
/// text as written must stop at these in the text as masked, or masking again would find a word
/// that the digits hid the first time.
const DIGITLESS: &str =
    r"\[(?:resident number|cvv|expiry|email|passport|driver licence|…continued)\]";

/// Every mask token.
static ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{DIGITLESS}|\[(?:card|phone|account) \*{{4}}[0-9]{{4}}\]"
    ))
    .expect("mask token pattern")
});

static DIGITLESS_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(DIGITLESS).expect("digitless mask token pattern"));

/// `text` with every mask token replaced by a space.
pub(super) fn remove(text: &str) -> String {
    ANY.replace_all(text, " ").into_owned()
}

/// The part of `window` (text before a number) after its last digitless mask token.
pub(super) fn after_last_digitless(window: &str) -> &str {
    DIGITLESS_TOKEN
        .find_iter(window)
        .last()
        .map_or(window, |m| &window[m.end()..])
}

/// The part of `window` (text after a number) before its first digitless mask token.
pub(super) fn before_first_digitless(window: &str) -> &str {
    DIGITLESS_TOKEN
        .find(window)
        .map_or(window, |m| &window[..m.start()])
}

/// Whether `text` contains a digitless mask token.
pub(super) fn has_digitless(text: &str) -> bool {
    DIGITLESS_TOKEN.is_match(text)
}
