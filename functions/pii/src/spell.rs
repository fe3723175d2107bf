//! Digits spelled out: `공일공 삼삼사사 오오육육`, `팔오공삼일오 다시 이삼사오육칠일`,
//! `zero one zero, nine eight seven six`, `4916-33일사-2222-3333`.
//!
//! Rather than a second set of kinds, this builds a *shadow* of the text in which spelled digits
//! read as ASCII digits and spelled dashes as `-`, with a map from each byte of the shadow back to
//! the text. The number kinds and the segmentation run on the shadow unchanged, and each span they
//! mask is mapped back onto the text. Only the stretches of text that hold a spelled digit are
//! rewritten; text without any (nearly all of it) has no shadow at all.
//!
//! Korean words are often made of digit syllables (이사 *move*, 오이 *cucumber*, 사이 *between*,
//! 공사 *construction*, 일일 *daily*), and English has `one` and `oh`. So the pre-pass is
//! deliberately loose and the kinds stay the judges: a spelled run is masked only when the kinds
//! accept its digits (9 to 19 of them, with the prefixes, groupings and checksums of a phone, a
//! resident number, a card, an account, a licence). On top of that:
//!
//! - A Hangul token (a run of syllables) counts only if every syllable is a digit syllable (a
//!   particle after them, `오오육육으로`, is let through), and either it has two syllables or more,
//!   or a separator links it to another digit group or spelled token. A single syllable written
//!   against digits (or against a mask, which replaced digits) never counts: `일` is the day of
//!   `14일`, `이` the subject particle of `5678이`. `oh` is as weak as a single syllable.
//! - Spelled words separated by spaces only (`zero one zero`, `공 일 공`) make one group; multi-
//!   syllable Hangul tokens are groups of their own (`공일공 삼삼사사`); commas, dashes and the
//!   words `다시`, `대시`, `하이픈`, `dash`, `hyphen` separate groups.
//! - A stretch is read only if one of its groups has three digits or more: real spelled numbers
//!   do (`공일공`, `zero one zero`), a row of two-syllable words (`오이 사이 공사 일일 구이`)
//!   does not, and next to a bank word ten such digits would otherwise make an account.
//! - `double five` is `55`, `triple oh` is `000`.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::normalize::{Sep, digit_value, fold, is_transparent, separator};
use super::tokens::MAX_JOIN;

/// Words that spell a dash between two groups of a spelled number.
pub(super) const DASH_WORDS: [&str; 5] = ["다시", "대시", "하이픈", "dash", "hyphen"];

/// Particles and copulas that may follow a spelled number (`오오육육이에요`, `…육육으로`,
/// `…육육번입니다`). A token ending in one of them is a spelled number and its particle.
const PARTICLES: [&str; 58] = [
    "이에요",
    "에요",
    "예요",
    "이요",
    "요",
    "입니다",
    "이고",
    "고",
    "이야",
    "야",
    "으로",
    "로",
    "으로요",
    "로요",
    "은",
    "는",
    "을",
    "를",
    "가",
    "에",
    "의",
    "도",
    "만",
    "까지",
    "부터",
    "이랑",
    "랑",
    "하고",
    "이라고",
    "라고",
    "인데",
    "인데요",
    "이니까",
    "니까",
    "이며",
    "며",
    "과",
    "와",
    "이나",
    "나",
    "이다",
    "다",
    "이죠",
    "죠",
    "이지요",
    "지요",
    "이구요",
    "구요",
    "이거든요",
    "거든요",
    "에서",
    "임",
    "번",
    "번이요",
    "번이에요",
    "번입니다",
    "번으로",
    "번이고",
];

const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// A letter of a word: a Hangul syllable or a Latin letter (full-width too).
pub(super) fn is_word_char(c: char) -> bool {
    is_hangul(c) || fold(c).is_some_and(|f| f.is_ascii_alphabetic())
}

/// Whether `text` ends with a word that spells a dash.
pub(super) fn ends_with_dash_word(text: &str) -> bool {
    let word: String = text
        .chars()
        .rev()
        .take_while(|&c| is_word_char(c))
        .take(8)
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    DASH_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// Whether `text` starts with a word that spells a dash.
pub(super) fn starts_with_dash_word(text: &str) -> bool {
    let word: String = text
        .chars()
        .take_while(|&c| is_word_char(c))
        .take(8)
        .collect();
    DASH_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// A digit, or the bracket of a mask (which replaced digits).
fn against(c: char) -> bool {
    digit_value(c).is_some() || c == ']' || c == '['
}

/// The Sino-Korean digit a syllable reads as.
fn hangul_digit(c: char) -> Option<u8> {
    Some(match c {
        '공' | '영' => 0,
        '일' => 1,
        '이' => 2,
        '삼' => 3,
        '사' => 4,
        '오' => 5,
        '육' | '륙' => 6,
        '칠' => 7,
        '팔' => 8,
        '구' => 9,
        _ => return None,
    })
}

/// The digit an English word (lowercase) spells, and whether it is weak (`oh`, which is also an
/// exclamation, counts only next to other digits).
fn english_digit(word: &str) -> Option<(u8, bool)> {
    Some(match word {
        "zero" => (0, false),
        "oh" => (0, true),
        "one" => (1, false),
        "two" => (2, false),
        "three" => (3, false),
        "four" => (4, false),
        "five" => (5, false),
        "six" => (6, false),
        "seven" => (7, false),
        "eight" => (8, false),
        "nine" => (9, false),
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Digits as written (any script).
    Digits,
    /// Spelled digits, each with the byte range it is read from, then `rest`: the byte range of a
    /// particle (empty when none). `word`: spelled as words to be glued when only spaces
    /// separate them (English words, single Hangul syllables). `strong`: counts on its own.
    Spelled {
        digits: Vec<(u8, Range<usize>)>,
        rest: Range<usize>,
        word: bool,
        strong: bool,
    },
    /// `double`, `triple`.
    Times(usize),
    Sep(Sep),
    Comma,
    DashWord,
    Other,
}

impl Piece {
    fn is_candidate(&self) -> bool {
        matches!(self, Piece::Digits | Piece::Spelled { .. })
    }

    fn is_spelled(&self) -> bool {
        matches!(self, Piece::Spelled { .. })
    }

    fn has_particle(&self) -> bool {
        matches!(self, Piece::Spelled { rest, .. } if !rest.is_empty())
    }

    fn is_word(&self) -> bool {
        matches!(self, Piece::Spelled { word: true, .. })
    }
}

/// What one Hangul token reads as.
fn hangul(text: &str, range: Range<usize>) -> Piece {
    let syllables: Vec<(usize, char)> = text[range.clone()]
        .char_indices()
        .filter(|&(_, c)| is_hangul(c))
        .map(|(at, c)| (range.start + at, c))
        .collect();
    let mut digits: Vec<(u8, Range<usize>)> = syllables
        .iter()
        .map_while(|&(at, c)| hangul_digit(c).map(|d| (d, at..at + c.len_utf8())))
        .collect();
    let rest_word: String = syllables[digits.len()..].iter().map(|&(_, c)| c).collect();
    if !rest_word.is_empty() {
        // `…육육이에요`: the `이` belongs to the copula more often than to the number.
        let with_i = format!("이{rest_word}");
        let i_particle = digits.len() >= 2
            && syllables[digits.len() - 1].1 == '이'
            && PARTICLES.contains(&with_i.as_str());
        if i_particle {
            digits.pop();
        } else if !PARTICLES.contains(&rest_word.as_str()) {
            return Piece::Other;
        }
    }
    let Some(last) = digits.last() else {
        return Piece::Other;
    };
    let rest = if rest_word.is_empty() {
        range.end..range.end
    } else {
        last.1.end..range.end
    };
    let n = digits.len();
    Piece::Spelled {
        digits,
        rest,
        word: n == 1,
        strong: n >= 2,
    }
}

/// The pieces of one Hangul token: `공일공다시삼삼사사` is three groups and two dashes.
fn hangul_pieces(text: &str, range: Range<usize>, out: &mut Vec<(Range<usize>, Piece)>) {
    static DASH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new("다시|대시|하이픈").expect("the dash-word pattern compiles"));
    let mut from = range.start;
    for dash in DASH.find_iter(&text[range.clone()]) {
        let (start, end) = (range.start + dash.start(), range.start + dash.end());
        if start > from {
            out.push((from..start, hangul(text, from..start)));
        }
        out.push((start..end, Piece::DashWord));
        from = end;
    }
    if from < range.end {
        out.push((from..range.end, hangul(text, from..range.end)));
    }
}

/// What one Latin word reads as.
fn latin(text: &str, range: Range<usize>) -> Piece {
    let word: String = text[range.clone()]
        .chars()
        .filter_map(fold)
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if DASH_WORDS.contains(&word.as_str()) {
        return Piece::DashWord;
    }
    match word.as_str() {
        "double" => return Piece::Times(2),
        "triple" => return Piece::Times(3),
        _ => {}
    }
    match english_digit(&word) {
        Some((d, weak)) => Piece::Spelled {
            digits: vec![(d, range.clone())],
            rest: range.end..range.end,
            word: true,
            strong: !weak,
        },
        None => Piece::Other,
    }
}

/// The text cut into pieces, each with its byte range. Transparent characters go with the piece
/// before them.
fn pieces(text: &str) -> Vec<(Range<usize>, Piece)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(at, _)| at);
    let mut out: Vec<(Range<usize>, Piece)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let run = |i: &mut usize, keep: &dyn Fn(char) -> bool| {
            *i += 1;
            while chars
                .get(*i)
                .is_some_and(|&(_, c)| keep(c) || is_transparent(c))
            {
                *i += 1;
            }
        };
        let piece = if digit_value(c).is_some() {
            run(&mut i, &|c| digit_value(c).is_some());
            Piece::Digits
        } else if is_hangul(c) {
            run(&mut i, &is_hangul);
            hangul_pieces(text, start..offset(i), &mut out);
            continue;
        } else if fold(c).is_some_and(|f| f.is_ascii_alphabetic()) {
            run(&mut i, &|c| {
                fold(c).is_some_and(|f| f.is_ascii_alphabetic())
            });
            latin(text, start..offset(i))
        } else if is_transparent(c) {
            i += 1;
            if let Some(last) = out.last_mut() {
                last.0.end = offset(i);
                continue;
            }
            Piece::Other
        } else {
            i += 1;
            if fold(c) == Some(',') {
                Piece::Comma
            } else {
                separator(c).map_or(Piece::Other, Piece::Sep)
            }
        };
        out.push((start..offset(i), piece));
    }
    times(out)
}

/// `double five` and `triple oh` into one spelled piece; a `double` before anything else is an
/// ordinary word.
fn times(pieces: Vec<(Range<usize>, Piece)>) -> Vec<(Range<usize>, Piece)> {
    let mut out: Vec<(Range<usize>, Piece)> = Vec::with_capacity(pieces.len());
    // The start and count of a `double` followed so far by spaces only.
    let mut pending: Option<(usize, usize)> = None;
    for (range, piece) in pieces {
        match piece {
            Piece::Times(n) => {
                pending = Some((range.start, n));
                out.push((range, Piece::Other));
            }
            Piece::Sep(Sep::Space) if pending.is_some() => out.push((range, piece)),
            Piece::Spelled {
                digits,
                rest,
                word: true,
                ..
            } if pending.is_some() && digits.len() == 1 && rest.is_empty() => {
                let (start, n) = pending.take().unwrap_or((range.start, 1));
                // The `double` and the spaces after it become part of the piece.
                while out.last().is_some_and(|(r, _)| r.start >= start) {
                    out.pop();
                }
                let d = digits[0].0;
                out.push((
                    start..range.end,
                    Piece::Spelled {
                        digits: vec![(d, start..range.end); n],
                        rest: range.end..range.end,
                        word: true,
                        strong: true,
                    },
                ));
            }
            _ => {
                pending = None;
                out.push((range, piece));
            }
        }
    }
    out
}

/// How two neighbouring candidates are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Not at all: something else is between them.
    None,
    /// Written together (`33일일`).
    Touching,
    /// Spelled words with only spaces between: one group.
    Glued,
    /// Separators between: the pieces between are the join.
    Joined,
}

/// The link between candidate pieces `a` and `b` (indices into `pieces`, `a < b`).
fn link(pieces: &[(Range<usize>, Piece)], a: usize, b: usize) -> Link {
    let (left, right) = (&pieces[a].1, &pieces[b].1);
    if left.has_particle() {
        return Link::None;
    }
    if b == a + 1 {
        return Link::Touching;
    }
    let between = &pieces[a + 1..b];
    let spelled = left.is_spelled() || right.is_spelled();
    let (mut chars, mut newlines, mut dashes, mut commas) = (0, 0, 0, 0);
    let mut spaces_only = true;
    for (_, piece) in between {
        match piece {
            Piece::Sep(sep) => {
                newlines += usize::from(*sep == Sep::Newline);
                spaces_only &= *sep == Sep::Space;
            }
            Piece::Comma if spelled => {
                commas += 1;
                spaces_only = false;
            }
            Piece::DashWord => {
                dashes += 1;
                spaces_only = false;
            }
            _ => return Link::None,
        }
        chars += 1;
    }
    if spaces_only && newlines == 0 && left.is_word() && right.is_word() {
        return Link::Glued;
    }
    if chars > MAX_JOIN || newlines > 1 || dashes > 1 || commas > 1 {
        return Link::None;
    }
    Link::Joined
}

/// The text with spelled digits read as ASCII, and for each of its bytes the byte range of the
/// text it was read from.
#[derive(Debug, Clone)]
pub(super) struct Shadow {
    pub text: String,
    origin: Vec<(usize, usize)>,
}

impl Shadow {
    /// The byte range of the original text that `range` of the shadow was read from.
    pub fn original(&self, range: Range<usize>) -> Range<usize> {
        let start = self.origin[range.start].0;
        let end = self.origin[range.end - 1].1;
        start..end.max(start)
    }

    fn verbatim(&mut self, text: &str, range: Range<usize>) {
        self.text.push_str(&text[range.clone()]);
        self.origin.extend(range.map(|at| (at, at + 1)));
    }

    fn read_as(&mut self, s: &str, range: &Range<usize>) {
        self.text.push_str(s);
        self.origin
            .extend(std::iter::repeat_n((range.start, range.end), s.len()));
    }
}

/// The shadow of `text`, or `None` when it spells no digit.
pub(super) fn shadow(text: &str) -> Option<Shadow> {
    // Nothing to read without a Hangul digit syllable or a Latin letter.
    if !text
        .chars()
        .any(|c| hangul_digit(c).is_some() || fold(c).is_some_and(|f| f.is_ascii_alphabetic()))
    {
        return None;
    }
    let pieces = pieces(text);
    let candidates: Vec<usize> = (0..pieces.len())
        .filter(|&i| pieces[i].1.is_candidate())
        .collect();
    if !candidates.iter().any(|&i| pieces[i].1.is_spelled()) {
        return None;
    }
    let links: Vec<Link> = candidates
        .windows(2)
        .map(|w| link(&pieces, w[0], w[1]))
        .collect();
    // A weak spelled piece counts when a separator links it to another candidate, and nothing
    // touches it: a single syllable written against digits is a unit or a particle (`14일`,
    // `5678이`), and reading it as a digit would change the digits' own group. Against a mask it
    // was against digits before they were masked, so that counts as touching too.
    let counts: Vec<bool> = (0..candidates.len())
        .map(|k| match &pieces[candidates[k]].1 {
            Piece::Spelled { strong: true, .. } | Piece::Digits => true,
            Piece::Spelled { .. } => {
                let before = k.checked_sub(1).and_then(|j| links.get(j)).copied();
                let after = links.get(k).copied();
                let separated = |l: Option<Link>| matches!(l, Some(Link::Glued | Link::Joined));
                let range = &pieces[candidates[k]].0;
                let touching = before == Some(Link::Touching)
                    || after == Some(Link::Touching)
                    || text[..range.start].chars().next_back().is_some_and(against)
                    || text[range.end..].chars().next().is_some_and(against);
                (separated(before) || separated(after)) && !touching
            }
            _ => false,
        })
        .collect();
    // Clusters: candidates that count, linked to the next.
    let mut clusters: Vec<Range<usize>> = Vec::new();
    let mut k = 0;
    while k < candidates.len() {
        if !counts[k] {
            k += 1;
            continue;
        }
        let first = k;
        while k + 1 < candidates.len() && counts[k + 1] && links[k] != Link::None {
            k += 1;
        }
        k += 1;
        // A spelled number has a group of three digits or more (`공일공`, `zero one zero`, the
        // `0000` it was spelled next to); a row of two-syllable words (`오이 사이 공사 일일 구이`
        // after a bank word) has none.
        let mut group = 0;
        let mut longest = 0;
        for j in first..k {
            group += match &pieces[candidates[j]].1 {
                Piece::Spelled { digits, .. } => digits.len(),
                _ => text[pieces[candidates[j]].0.clone()]
                    .chars()
                    .filter(|&c| digit_value(c).is_some())
                    .count(),
            };
            longest = longest.max(group);
            if j + 1 < k && !matches!(links[j], Link::Touching | Link::Glued) {
                group = 0;
            }
        }
        if longest >= 3 && (first..k).any(|j| pieces[candidates[j]].1.is_spelled()) {
            clusters.push(first..k);
        }
    }
    if clusters.is_empty() {
        return None;
    }
    let mut shadow = Shadow {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut copied = 0;
    for cluster in clusters {
        let first = &pieces[candidates[cluster.start]].0;
        shadow.verbatim(text, copied..first.start);
        for k in cluster.clone() {
            let (range, piece) = &pieces[candidates[k]];
            match piece {
                Piece::Spelled { digits, rest, .. } => {
                    for (d, from) in digits {
                        shadow.read_as(DIGITS[usize::from(*d)], from);
                    }
                    shadow.verbatim(text, rest.clone());
                }
                _ => shadow.verbatim(text, range.clone()),
            }
            if k + 1 == cluster.end {
                copied = range.end;
                break;
            }
            if links[k] == Link::Glued {
                continue;
            }
            for (range, piece) in &pieces[candidates[k] + 1..candidates[k + 1]] {
                match piece {
                    Piece::Comma => shadow.read_as(" ", range),
                    Piece::DashWord => shadow.read_as("-", range),
                    _ => shadow.verbatim(text, range.clone()),
                }
            }
        }
    }
    shadow.verbatim(text, copied..text.len());
    Some(shadow)
}

/// `text` as the kinds read it: its shadow when it spells digits.
#[cfg(test)]
pub(super) fn read(text: &str) -> String {
    shadow(text).map_or_else(|| text.to_string(), |s| s.text)
}
