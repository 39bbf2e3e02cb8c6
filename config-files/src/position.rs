//! Byte offsets to 1-based line and column, and the line-ending style of a text.

/// The 1-based line and column (in characters) of byte `offset` in `text`.
/// A byte-order mark does not count as a column.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..]
        .chars()
        .filter(|&c| c != '\u{feff}')
        .count()
        + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The line ending new lines should use: CRLF when the text's first line break is CRLF.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Byte offset of the start of the line that holds `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// Byte offset just past the end of the line that holds `offset`, including its line break
/// (or the end of the text when the line has none).
pub fn line_end_inclusive(text: &str, offset: usize) -> usize {
    match text.as_bytes()[offset..].iter().position(|&b| b == b'\n') {
        Some(i) => offset + i + 1,
        None => text.len(),
    }
}

/// Byte offset of the end of the line's content (before `\r\n` or `\n`).
pub fn line_content_end(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = match bytes[offset..].iter().position(|&b| b == b'\n') {
        Some(i) => offset + i,
        None => text.len(),
    };
    if end > offset && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_in_characters() {
        let text = "a: 1\nbé: x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 5), (2, 1));
        // 'x' sits after "bé: " which is 4 characters but 5 bytes.
        assert_eq!(line_column(text, 10), (2, 5));
    }

    #[test]
    fn crlf_is_detected_from_the_first_break() {
        assert_eq!(line_ending("a: 1\r\nb: 2\r\n"), "\r\n");
        assert_eq!(line_ending("a: 1\nb: 2\r\n"), "\n");
        assert_eq!(line_ending("a: 1"), "\n");
    }
}
