//! Typing a scalar's text, by serde-saphyr's rules (its `parse_scalars`, default options):
//! YAML 1.2 core numbers and null, YAML 1.1 booleans (`yes`, `on`, `y`...), `0x`/`0o`/`0b`
//! integers with single underscores between digits, and no leading zeros in decimals.

/// Padding ignored when converting a scalar (quoted and block scalars may carry line breaks).
pub fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

/// `""`, `~`, `null`, `Null`, `NULL` written plain.
pub fn is_nullish(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// YAML 1.1 booleans, case-insensitive: y/yes/true/on and n/no/false/off.
pub fn bool11(s: &str) -> Option<bool> {
    let t = trim(s);
    let is = |words: [&str; 4]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(["true", "yes", "y", "on"]) {
        Some(true)
    } else if is(["false", "no", "n", "off"]) {
        Some(false)
    } else {
        None
    }
}

/// Digits in `radix`, with single underscores allowed between digits.
fn digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut any = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !between {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        any = true;
    }
    any.then_some(value)
}

/// The magnitude of an unsigned integer spelling (sign already removed).
fn magnitude(rest: &str) -> Option<u128> {
    let prefixed = |p: [&str; 2]| rest.strip_prefix(p[0]).or_else(|| rest.strip_prefix(p[1]));
    if let Some(hex) = prefixed(["0x", "0X"]) {
        digits(hex, 16)
    } else if let Some(oct) = prefixed(["0o", "0O"]) {
        digits(oct, 8)
    } else if let Some(bin) = prefixed(["0b", "0B"]) {
        digits(bin, 2)
    } else if rest.starts_with('0') && rest != "0" {
        None
    } else {
        digits(rest, 10)
    }
}

/// An integer that may be negative.
pub fn signed(s: &str) -> Option<i128> {
    let t = trim(s);
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let m = magnitude(rest)?;
    if negative {
        0i128.checked_sub_unsigned(m)
    } else {
        i128::try_from(m).ok()
    }
}

/// A non-negative integer.
pub fn unsigned(s: &str) -> Option<u128> {
    let t = trim(s);
    if t.starts_with('-') {
        return None;
    }
    magnitude(t.strip_prefix('+').unwrap_or(t))
}

/// `+.inf`, `-.Inf`, `.NaN`... (YAML 1.2 core spellings).
fn non_finite(t: &str) -> Option<f64> {
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => Some(f64::INFINITY),
        _ => None,
    }
}

/// A float for a float target: the YAML spellings of infinity and NaN, or a finite number.
pub fn float(s: &str) -> Option<f64> {
    let t = trim(s);
    non_finite(t).or_else(|| t.parse::<f64>().ok().filter(|v| v.is_finite()))
}

/// A float for an untyped target: like [`float`], but a numeral that overflows (`1e999`)
/// counts as a (non-finite) float rather than as text.
pub fn untyped_float(s: &str) -> Option<f64> {
    float(s).or_else(|| {
        let t = trim(s);
        let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
        if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
        t.parse::<f64>().ok().filter(|v| v.is_infinite())
    })
}

/// A decimal with a redundant leading zero (`0127`, `-0127`): not an integer.
pub fn leading_zero_decimal(s: &str) -> bool {
    let t = trim(s);
    let d = t.strip_prefix(['+', '-']).unwrap_or(t);
    d.len() > 1 && d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit())
}
