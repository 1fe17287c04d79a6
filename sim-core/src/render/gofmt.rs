//! Go fmt verbs calicoctl uses (`%.5g`, `%.f`, and `ipam show`'s `"%.5g (%.f%%)"`); pure: string
//! formatting only, no I/O.
//!
//! Go rounds the exact binary value of a float64 to the requested digits, ties to even (strconv's
//! `decimal.Round` and `ryuFtoaFixed64`). Rust's `{:.N}` / `{:.Ne}` do the same (correct rounding of
//! the exact value, ties to even), so the digits come from `format!` and only Go's layout rules
//! (`%e` vs `%f` choice, trailing-zero removal, two-digit exponent, `NaN`/`+Inf`) are applied here.

/// Go's `fmt.Sprintf("%.5g", x)`: `65536` → `"65536"`, `1048576` → `"1.0486e+06"`, `0` → `"0"`.
pub fn g5(x: f64) -> String {
    g(x, 5)
}

/// Go's `fmt.Sprintf("%.f", x)` (zero decimals, ties to even): `12.5` → `"12"`, `87.5` → `"88"`.
pub fn f0(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s.to_string();
    }
    // `{:.0}` rounds the exact value half to even and keeps the sign of -0 and of -0.4 ("-0"),
    // as Go does.
    format!("{x:.0}")
}

/// The `IPS IN USE` / `IPS FREE` cell of `calicoctl ipam show`: Go's
/// `fmt.Sprintf("%.5g (%.f%%)", n, 100*n/capacity)`, e.g. `usage(5.0, 64.0)` → `"5 (8%)"`.
pub fn usage(n: f64, capacity: f64) -> String {
    // Same operation order as Go: (100*n)/capacity.
    format!("{} ({}%)", g5(n), f0(100.0 * n / capacity))
}

/// Go's `fmt` spelling of NaN and infinities (`%g`, `%f` and `%e` alike).
fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x == f64::INFINITY {
        Some("+Inf")
    } else if x == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// Go's `%.<prec>g` (strconv `FormatFloat(x, 'g', prec, 64)` as printed by fmt).
fn g(x: f64, prec: usize) -> String {
    if let Some(s) = non_finite(x) {
        return s.to_string();
    }
    let prec = prec.max(1) as i32; // Go: %.0g means one digit
    let (digits, dp) = round_sig(x.abs(), prec);
    let nd = digits.len() as i32;
    let mut eprec = prec;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let exp = dp - 1;
    let body = if exp < -4 || exp >= eprec {
        fmt_e(&digits, prec.min(nd) - 1, exp)
    } else {
        let p = if prec > dp { nd } else { prec };
        fmt_f(&digits, dp, (p - dp).max(0))
    };
    if x.is_sign_negative() {
        format!("-{body}")
    } else {
        body
    }
}

/// Rounds `a >= 0` to `prec` significant digits: the digit string without trailing zeros and the
/// decimal-point position (`0.d1d2… × 10^dp`), like strconv's `decimalSlice`. Zero is `("", 0)`.
fn round_sig(a: f64, prec: i32) -> (Vec<u8>, i32) {
    if a == 0.0 {
        return (Vec::new(), 0);
    }
    let s = format!("{:.*e}", (prec - 1) as usize, a);
    let (mant, exp) = s
        .split_once('e')
        .expect("Rust's {:e} always has an exponent");
    let exp: i32 = exp.parse().expect("Rust's {:e} exponent is an integer");
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp + 1)
}

/// strconv's `fmtE`: `d.ddddde±XX` with `prec` decimals and at least two exponent digits.
fn fmt_e(digits: &[u8], prec: i32, exp: i32) -> String {
    let mut out = String::new();
    out.push(digits.first().map_or('0', |&c| c as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as usize {
            out.push(digits.get(i).map_or('0', |&c| c as char));
        }
    }
    let exp = if digits.is_empty() { 0 } else { exp };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.abs()));
    out
}

/// strconv's `fmtF`: integer part (zero-padded up to the decimal point) and `prec` decimals.
fn fmt_f(digits: &[u8], dp: i32, prec: i32) -> String {
    let mut out = String::new();
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(digits.get(i).map_or('0', |&c| c as char));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = dp + i - 1;
            let c = if j >= 0 {
                digits.get(j as usize).copied()
            } else {
                None
            };
            out.push(c.map_or('0', |c| c as char));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g5_matches_go() {
        // Expected values are what Go's fmt.Sprintf("%.5g", x) prints.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (8.0, "8"),
            (64.0, "64"),
            (100.0, "100"),
            (65528.0, "65528"),
            (65536.0, "65536"),
            (99999.0, "99999"),
            (100000.0, "1e+05"),
            (131072.0, "1.3107e+05"),
            (123456.0, "1.2346e+05"),
            (1048576.0, "1.0486e+06"),
            (4194304.0, "4.1943e+06"),
            (16777216.0, "1.6777e+07"),
            (18446744073709551616.0, "1.8447e+19"),
            (1208925819614629174706176.0, "1.2089e+24"), // 2^80, a /48 IPv6 pool
            (3.402823669209385e38, "3.4028e+38"),        // 2^128
            (1e100, "1e+100"),
            (1.5, "1.5"),
            (-2.5, "-2.5"),
            (123.456, "123.46"),
            (12345.6, "12346"),
            (0.5, "0.5"),
            (0.0001234, "0.0001234"),
            (0.00001234, "1.234e-05"),
            (1e-5, "1e-05"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.33333"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for &(x, want) in cases {
            assert_eq!(g5(x), want, "g5({x:e})");
        }
    }

    #[test]
    fn g5_rounds_exact_ties_to_even_and_carries() {
        // Exactly representable halves at the 5th significant digit.
        assert_eq!(g5(12344.5), "12344");
        assert_eq!(g5(12345.5), "12346");
        assert_eq!(g5(1.00005), "1.0001"); // 1.00005 is slightly above the half in binary
        assert_eq!(g5(99999.5), "1e+05"); // tie, 9 is odd: round up and carry into a new digit
        assert_eq!(g5(99998.5), "99998");
        assert_eq!(g5(9.99995e-5), "9.9999e-05"); // just below the half in binary
        assert_eq!(g5(999995.0), "1e+06");
        assert_eq!(g5(999985.0), "9.9998e+05");
    }

    #[test]
    fn f0_is_half_even() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (0.4, "0"),
            (0.5, "0"),
            (0.6, "1"),
            (1.5, "2"),
            (2.5, "2"),
            (12.5, "12"),
            (13.5, "14"),
            (87.5, "88"),
            (99.6, "100"),
            (100.0, "100"),
            (10.9375, "11"),
            (89.0625, "89"),
            (-0.4, "-0"),
            (-1.5, "-2"),
            (0.0006103515625, "0"),
            (18446744073709551616.0, "18446744073709551616"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for &(x, want) in cases {
            assert_eq!(f0(x), want, "f0({x})");
        }
    }

    #[test]
    fn usage_cells() {
        assert_eq!(usage(0.0, 64.0), "0 (0%)");
        assert_eq!(usage(1.0, 8.0), "1 (12%)"); // 12.5 → 12
        assert_eq!(usage(7.0, 8.0), "7 (88%)"); // 87.5 → 88
        assert_eq!(usage(5.0, 64.0), "5 (8%)"); // 7.8125
        assert_eq!(usage(59.0, 64.0), "59 (92%)");
        assert_eq!(usage(1048568.0, 1048576.0), "1.0486e+06 (100%)");
        assert_eq!(usage(0.0, 0.0), "0 (NaN%)"); // Go: 0/0 is NaN at run time
        assert_eq!(usage(1.0, 0.0), "1 (+Inf%)");
    }
}
