//! Plain scalars to typed values, exactly as SnakeYAML's `Resolver` and `SafeConstructor` do.
//!
//! Bukkit, Paper, Spigot and their plugins read YAML with SnakeYAML, which follows YAML 1.1's
//! implicit typing with its own regular expressions (SnakeYAML 2.x `Resolver`):
//!
//! - bool: `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
//!   (no `y`/`n`: SnakeYAML leaves those as strings).
//! - int: `[-+]?0b_*[01][01_]*` (binary), `[-+]?0_*[0-7][0-7_]*` (a leading zero is octal),
//!   `[-+]?(0|[1-9][0-9_]*)`, `[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*`,
//!   `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+` (base 60). `0o17` is not an int for SnakeYAML.
//! - float: `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?`, `[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+`,
//!   `[-+]?\.[0-9_]+([eE][-+]?[0-9]+)?`, `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`,
//!   `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`.
//! - null: `~`, `null`, `Null`, `NULL`, and the empty scalar.
//!
//! Ints are tried before floats (as SnakeYAML does). Timestamps stay strings: homeamp has no
//! date type and compares them by text. An int too large for 64 bits becomes a float.

use homeamp_schemas::Value;

/// The value SnakeYAML gives a plain (unquoted, untagged) scalar.
pub fn plain(text: &str) -> Value {
    if let Some(b) = bool_value(text) {
        return Value::Bool(b);
    }
    if is_null(text) {
        return Value::Null;
    }
    if let Some(v) = int_value(text) {
        return v;
    }
    if let Some(f) = float_value(text) {
        return Value::Float(f);
    }
    Value::String(text.to_string())
}

pub fn bool_value(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

pub fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// `first` followed by any of `rest`, as in `[first][rest]*` with a non-empty first.
fn all_in(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    text.bytes().all(allowed)
}

fn is_int_syntax(body: &str) -> bool {
    let b = body.as_bytes();
    if b.is_empty() {
        return false;
    }
    if let Some(rest) = body.strip_prefix("0b") {
        let digits = rest.trim_start_matches('_');
        return digits.starts_with(['0', '1'])
            && all_in(digits, |c| matches!(c, b'0' | b'1' | b'_'));
    }
    if let Some(rest) = body.strip_prefix("0x") {
        let digits = rest.trim_start_matches('_');
        return digits.as_bytes().first().is_some_and(u8::is_ascii_hexdigit)
            && all_in(digits, |c| c.is_ascii_hexdigit() || c == b'_');
    }
    if body == "0" {
        return true;
    }
    if let Some(rest) = body.strip_prefix('0') {
        let digits = rest.trim_start_matches('_');
        return digits
            .as_bytes()
            .first()
            .is_some_and(|c| (b'0'..=b'7').contains(c))
            && all_in(digits, |c| (b'0'..=b'7').contains(&c) || c == b'_');
    }
    if !(b'1'..=b'9').contains(&b[0]) {
        return false;
    }
    if all_in(body, |c| c.is_ascii_digit() || c == b'_') {
        return true;
    }
    is_base60(body, false)
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+` (ints) or `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*` (floats).
fn is_base60(body: &str, float: bool) -> bool {
    let (int_part, frac) = if float {
        match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => return false,
        }
    } else {
        (body, None)
    };
    let mut parts = int_part.split(':');
    let head = parts.next().unwrap_or("");
    let first_ok = if float {
        head.as_bytes().first().is_some_and(u8::is_ascii_digit)
    } else {
        head.as_bytes()
            .first()
            .is_some_and(|c| (b'1'..=b'9').contains(c))
    };
    if !first_ok || !all_in(head, |c| c.is_ascii_digit() || c == b'_') {
        return false;
    }
    let mut count = 0;
    for part in parts {
        count += 1;
        let ok = match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    count > 0 && frac.is_none_or(|f| all_in(f, |c| c.is_ascii_digit() || c == b'_'))
}

/// SnakeYAML's int, if `text` is one.
pub fn int_value(text: &str) -> Option<Value> {
    let (negative, body) = split_sign(text);
    if !is_int_syntax(body) {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let magnitude: Option<i128> = if let Some(hex) = clean.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = clean.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()
    } else if clean.contains(':') {
        clean
            .split(':')
            .try_fold(0i128, |acc, d| Some(acc * 60 + d.parse::<i128>().ok()?))
    } else if clean.len() > 1 && clean.starts_with('0') {
        i128::from_str_radix(&clean[1..], 8).ok()
    } else {
        clean.parse::<i128>().ok()
    };
    let signed = magnitude.map(|m| if negative { -m } else { m });
    match signed.and_then(|m| i64::try_from(m).ok()) {
        Some(i) => Some(Value::Int(i)),
        // SnakeYAML would build a BigInteger; the nearest thing we have is a float.
        None => Some(Value::Float(
            clean.parse::<f64>().unwrap_or(f64::INFINITY) * if negative { -1.0 } else { 1.0 },
        )),
    }
}

fn is_exponent(e: &str) -> bool {
    let e = e.strip_prefix(['+', '-']).unwrap_or(e);
    !e.is_empty() && all_in(e, |c| c.is_ascii_digit())
}

fn is_float_syntax(body: &str) -> bool {
    let digits_ = |s: &str| all_in(s, |c| c.is_ascii_digit() || c == b'_');
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if exponent.is_some_and(|e| !is_exponent(e)) {
        return false;
    }
    if let Some(frac) = mantissa.strip_prefix('.') {
        // `.[0-9_]+`
        return !frac.is_empty() && digits_(frac);
    }
    if !mantissa.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    match mantissa.split_once('.') {
        Some((int, frac)) => digits_(int) && digits_(frac),
        // Without a dot an exponent is required.
        None => exponent.is_some() && digits_(mantissa),
    }
}

/// SnakeYAML's float, if `text` is one (and is not an int).
pub fn float_value(text: &str) -> Option<f64> {
    match text {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let (negative, body) = split_sign(text);
    let sign = if negative { -1.0 } else { 1.0 };
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return Some(sign * f64::INFINITY);
    }
    if is_base60(body, true) {
        let clean: String = body.chars().filter(|&c| c != '_').collect();
        let mut total = 0.0;
        let mut parts: Vec<&str> = clean.split(':').collect();
        let last = parts.pop().unwrap_or("0");
        for p in parts {
            total = total * 60.0 + p.parse::<f64>().ok()?;
        }
        total = total * 60.0 + last.parse::<f64>().ok()?;
        return Some(sign * total);
    }
    if !is_float_syntax(body) {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let clean = if clean.ends_with('.') || clean.contains(".e") || clean.contains(".E") {
        clean.replacen('.', ".0", 1)
    } else {
        clean
    };
    clean.parse::<f64>().ok().map(|f| sign * f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_string())
    }

    #[test]
    fn yes_and_no_in_every_case_snakeyaml_accepts_are_bools() {
        for t in [
            "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(plain(t), Value::Bool(true), "{t}");
        }
        for t in [
            "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(plain(t), Value::Bool(false), "{t}");
        }
    }

    #[test]
    fn mixed_case_bools_and_single_letters_stay_strings() {
        for t in ["yEs", "tRUE", "oN", "y", "Y", "n", "N"] {
            assert_eq!(plain(t), s(t), "{t}");
        }
    }

    #[test]
    fn null_spellings() {
        for t in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(plain(t), Value::Null, "{t:?}");
        }
        assert_eq!(plain("nULL"), s("nULL"));
    }

    #[test]
    fn decimal_ints_with_signs_and_underscores() {
        assert_eq!(plain("42"), Value::Int(42));
        assert_eq!(plain("-17"), Value::Int(-17));
        assert_eq!(plain("+5"), Value::Int(5));
        assert_eq!(plain("1_000_000"), Value::Int(1_000_000));
        assert_eq!(plain("0"), Value::Int(0));
    }

    #[test]
    fn hex_ints() {
        assert_eq!(plain("0x1F"), Value::Int(31));
        assert_eq!(plain("0x_ff"), Value::Int(255));
        assert_eq!(plain("-0x10"), Value::Int(-16));
        assert_eq!(plain("0xg"), s("0xg"));
    }

    #[test]
    fn leading_zero_is_octal() {
        assert_eq!(plain("017"), Value::Int(15));
        assert_eq!(plain("0_17"), Value::Int(15));
        // 8 and 9 are not octal digits, and there is no dot or exponent: a string.
        assert_eq!(plain("09"), s("09"));
    }

    #[test]
    fn zero_o_prefix_is_not_an_int_in_snakeyaml() {
        assert_eq!(plain("0o17"), s("0o17"));
    }

    #[test]
    fn binary_ints() {
        assert_eq!(plain("0b1010"), Value::Int(10));
        assert_eq!(plain("-0b1"), Value::Int(-1));
    }

    #[test]
    fn sexagesimal_ints_and_floats() {
        assert_eq!(plain("1:30"), Value::Int(90));
        assert_eq!(plain("190:20:30"), Value::Int(685_230));
        assert_eq!(plain("1:30.5"), Value::Float(90.5));
        assert_eq!(plain("1:60"), s("1:60"));
    }

    #[test]
    fn decimal_floats() {
        assert_eq!(plain("1.5"), Value::Float(1.5));
        assert_eq!(plain("-0.25"), Value::Float(-0.25));
        assert_eq!(plain("1."), Value::Float(1.0));
        assert_eq!(plain(".5"), Value::Float(0.5));
        assert_eq!(plain("1_000.5"), Value::Float(1000.5));
        assert!(matches!(plain("1.0"), Value::Float(_)));
    }

    #[test]
    fn exponent_floats() {
        assert_eq!(plain("1e3"), Value::Float(1000.0));
        assert_eq!(plain("6.8523015e+5"), Value::Float(685_230.15));
        assert_eq!(plain("1.5E-2"), Value::Float(0.015));
        assert_eq!(plain("1e"), s("1e"));
    }

    #[test]
    fn infinity_and_nan() {
        assert_eq!(plain(".inf"), Value::Float(f64::INFINITY));
        assert_eq!(plain("-.Inf"), Value::Float(f64::NEG_INFINITY));
        assert_eq!(plain("+.INF"), Value::Float(f64::INFINITY));
        assert!(matches!(plain(".nan"), Value::Float(f) if f.is_nan()));
        assert!(matches!(plain(".NaN"), Value::Float(f) if f.is_nan()));
        // SnakeYAML's NaN takes no sign.
        assert_eq!(plain("-.nan"), s("-.nan"));
    }

    #[test]
    fn versions_and_timestamps_stay_strings() {
        assert_eq!(plain("1.2.3"), s("1.2.3"));
        assert_eq!(plain("2001-12-14"), s("2001-12-14"));
        assert_eq!(plain("1.20.4"), s("1.20.4"));
    }

    #[test]
    fn ints_beyond_64_bits_become_floats() {
        assert_eq!(plain("99999999999999999999"), Value::Float(1e20));
    }
}
