//! Ids and time: what every record is named and stamped with.

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// The current time in milliseconds.
pub fn now() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

/// A new id with a prefix (`msg_01J…`). Ids from one process sort in creation order, even
/// within a millisecond, so a conversation's messages sort by id.
pub fn new_id(prefix: &str) -> String {
    static GENERATOR: std::sync::Mutex<Option<ulid::Generator>> = std::sync::Mutex::new(None);
    let mut generator = GENERATOR
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let id = generator
        .get_or_insert_with(ulid::Generator::new)
        .generate()
        .unwrap_or_else(|_| ulid::Ulid::generate());
    format!("{prefix}_{id}")
}

/// Whether `id` is `{prefix}_` followed by a ULID (26 Crockford base-32 characters): what path
/// ids must look like before they reach a store.
pub fn is_id(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|ulid| ulid::Ulid::from_string(ulid).is_ok() && ulid.len() == 26)
}

/// Compares two hashes or MACs without an early exit, so timing says nothing about how much
/// matched (conversation secrets, mail thread tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_by_prefix_and_shape() {
        let id = new_id("cv");
        assert!(is_id("cv", &id));
        assert!(!is_id("case", &id));
        assert!(!is_id("cv", "cv_../../etc"));
        assert!(!is_id("cv", "cv_"));
        assert!(!is_id("cv", &format!("{id}x")));
    }
}
