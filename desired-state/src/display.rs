//! How values are shown to people in messages and plans: on one line, shortened.

use homeamp_schemas::Value;

/// At most `max` characters of `text`, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// A value on one line in its JSON spelling (`"text"`, `250`, `[1,2]`), cut to `max` characters.
pub fn value_inline(value: &Value, max: usize) -> String {
    shorten(&serde_json::to_string(value).unwrap_or_default(), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        assert_eq!(shorten("abcdef", 3), "abc…");
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(value_inline(&Value::String("x".into()), 10), "\"x\"");
    }
}
