//! calicoctl's tablewriter layout; pure: builds the text of a table, does no I/O.
//!
//! Reproduces `github.com/olekukonko/tablewriter` v0.0.5 as calicoctl v3.28 uses it
//! (`NewWriter`, `SetHeader`, `Append`, `Render`, all defaults):
//!
//! * borders `+`, `-`, `|`; one space of padding each side of a cell; a line under the header;
//!   no row separators; no footer or caption;
//! * headers pass through [`title`] (`_` and some `.` become spaces, trimmed, upper-cased) and are
//!   centred (left gap = ⌊gap/2⌋);
//! * a body cell line is right-aligned if its trimmed text matches
//!   `^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$`, else left-aligned (tablewriter's `percent`
//!   pattern `^-?\d+\.?\d*$%$` can never match, so it is not reproduced);
//! * auto-wrap: a cell's lines are joined with spaces and re-wrapped by `WrapString` at
//!   min(widest line, 30) columns. `WrapString` splits on single spaces, raises the limit to the widest
//!   word (so a long word is never broken) and picks the break points with minimal raggedness
//!   (`WrapWords`: least sum of squared slack over all lines but the last), not greedily. A column is
//!   at least min(cell width, 30) wide even when its wrapped lines are narrower;
//! * a row is as tall as its tallest cell; shorter cells are filled with two-space lines.
//!
//! Display width follows go-runewidth v0.0.9 in a non-CJK locale for ASCII and the common wide
//! (CJK, Hangul, fullwidth, emoji) and zero-width (controls, combining marks) ranges; other
//! non-ASCII characters count as one column.

/// tablewriter's `MAX_ROW_WIDTH`: the default column width used for wrapping.
const MAX_COL_WIDTH: usize = 30;
/// tablewriter's `defaultPenalty` for a line longer than the limit in `WrapWords`.
const OVERLONG_PENALTY: i64 = 100_000;
/// tablewriter fills a short cell of a multi-line row with this (two spaces, not an empty string).
const FILLER: &str = "  ";

/// Renders `headers` and `rows` exactly as calicoctl's tablewriter prints them, with a trailing
/// newline. An empty `headers` prints no header and no header line (as tablewriter does); a row
/// shorter than the widest one prints only its own cells.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let header_cells: Vec<Cell> = headers.iter().map(|h| Cell::parse(h)).collect();
    let body: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| row.iter().map(|c| Cell::parse(c)).collect())
        .collect();
    let widths = column_widths(&header_cells, &body);
    let rule = rule_line(&widths);

    let mut out = String::new();
    out.push_str(&rule);
    if !header_cells.is_empty() {
        push_header(&mut out, &header_cells, &widths);
        out.push_str(&rule);
    }
    for row in &body {
        push_row(&mut out, row, &widths);
    }
    out.push_str(&rule);
    out
}

/// tablewriter's `Title()`: `_` becomes a space, a `.` becomes a space unless both neighbours are
/// digits or spaces (so `0.0` stays), the result is trimmed (kept as one space if it was non-empty)
/// and upper-cased. `"Peer address"` → `"PEER ADDRESS"`, `"ips_total"` → `"IPS TOTAL"`.
pub fn title(header: &str) -> String {
    let mut rs: Vec<char> = header.chars().collect();
    let num_or_space = |c: char| c.is_ascii_digit() || c == ' ';
    for i in 0..rs.len() {
        match rs[i] {
            '_' => rs[i] = ' ',
            // Like Go, the left neighbour is read after its own replacement.
            '.' if (i != 0 && !num_or_space(rs[i - 1]))
                || (i + 1 != rs.len() && !num_or_space(rs[i + 1])) =>
            {
                rs[i] = ' '
            }
            _ => {}
        }
    }
    let joined: String = rs.into_iter().collect();
    let mut name = joined.trim();
    if name.is_empty() && !header.is_empty() {
        name = " ";
    }
    name.chars().map(go_to_upper).collect()
}

/// Go's `unicode.ToUpper` (simple case mapping): a character whose upper case is several
/// characters (e.g. `ß`) stays as it is.
fn go_to_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// One cell after tablewriter's `parseDimension`: its printed lines and the width it claims.
struct Cell {
    lines: Vec<String>,
    width: usize,
}

impl Cell {
    fn parse(text: &str) -> Cell {
        let widest = text.split('\n').map(display_width).max().unwrap_or(0);
        let limit = widest.min(MAX_COL_WIDTH);
        // reflowText (default on): all lines of the cell become one paragraph.
        let lines = wrap_string(&text.split('\n').collect::<Vec<_>>().join(" "), limit);
        let width = lines
            .iter()
            .map(|l| display_width(l))
            .fold(limit, usize::max);
        Cell { lines, width }
    }
}

fn column_widths(headers: &[Cell], body: &[Vec<Cell>]) -> Vec<usize> {
    let ncols = body.iter().map(Vec::len).fold(headers.len(), usize::max);
    let mut widths = vec![0; ncols];
    for row in std::iter::once(headers).chain(body.iter().map(Vec::as_slice)) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width);
        }
    }
    widths
}

fn rule_line(widths: &[usize]) -> String {
    let mut line = String::from("+");
    for &w in widths {
        line.push_str(&"-".repeat(w + 2));
        line.push('+');
    }
    line.push('\n');
    line
}

fn push_header(out: &mut String, headers: &[Cell], widths: &[usize]) {
    let height = headers.iter().map(|c| c.lines.len()).max().unwrap_or(0);
    for x in 0..height {
        out.push('|');
        for (y, &w) in widths.iter().enumerate() {
            let text = headers
                .get(y)
                .and_then(|c| c.lines.get(x))
                .map_or("", String::as_str);
            out.push(' ');
            out.push_str(&pad_center(&title(text), w));
            out.push_str(" |");
        }
        out.push('\n');
    }
}

fn push_row(out: &mut String, row: &[Cell], widths: &[usize]) {
    let height = row.iter().map(|c| c.lines.len()).max().unwrap_or(0);
    for x in 0..height {
        for (cell, &w) in row.iter().zip(widths) {
            let text = cell.lines.get(x).map_or(FILLER, String::as_str);
            out.push_str("| ");
            if is_decimal(text.trim()) {
                out.push_str(&pad_left(text, w));
            } else {
                out.push_str(&pad_right(text, w));
            }
            out.push(' ');
        }
        out.push_str("|\n");
    }
}

fn pad_center(s: &str, width: usize) -> String {
    let gap = width.saturating_sub(display_width(s));
    let left = gap / 2;
    format!("{}{}{}", " ".repeat(left), s, " ".repeat(gap - left))
}

fn pad_left(s: &str, width: usize) -> String {
    let gap = width.saturating_sub(display_width(s));
    format!("{}{}", " ".repeat(gap), s)
}

fn pad_right(s: &str, width: usize) -> String {
    let gap = width.saturating_sub(display_width(s));
    format!("{}{}", s, " ".repeat(gap))
}

/// tablewriter's `decimal` pattern `^-?(?:\d{1,3}(?:,\d{3})*|\d+)(?:\.\d+)?$` (ASCII digits).
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    let int_ok = all_digits(int)
        || (all_digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && all_digits(g)));
    int_ok && frac.is_none_or(all_digits)
}

/// tablewriter's `WrapString(s, lim)`: words split on single spaces (newlines count as spaces),
/// the limit raised to the widest word, break points chosen by [`wrap_words`].
fn wrap_string(s: &str, lim: usize) -> Vec<String> {
    let text = s.replace('\n', " ");
    let words: Vec<&str> = text.split(' ').collect();
    let lim = words.iter().map(|w| rune_width(w)).fold(lim, usize::max);
    wrap_words(&words, lim)
        .into_iter()
        .map(|line| line.join(" "))
        .collect()
}

/// tablewriter's `WrapWords(words, 1, lim, defaultPenalty)`: the line breaks minimising the sum over
/// all lines but the last of (lim - line width)², plus the penalty for a line longer than `lim`.
fn wrap_words<'a>(words: &[&'a str], lim: usize) -> Vec<Vec<&'a str>> {
    let n = words.len();
    let lim = lim as i64;
    // prefix[k] = width of words[..k] plus one space after each.
    let mut prefix = vec![0i64; n + 1];
    for (k, w) in words.iter().enumerate() {
        prefix[k + 1] = prefix[k] + rune_width(w) as i64 + 1;
    }
    let length = |i: usize, j: usize| prefix[j + 1] - prefix[i] - 1; // words[i..=j]
    let mut nbrk = vec![0usize; n];
    let mut cost = vec![i64::from(i32::MAX); n];
    for i in (0..n).rev() {
        if length(i, n - 1) <= lim {
            cost[i] = 0;
            nbrk[i] = n;
            continue;
        }
        for j in i + 1..n {
            let d = lim - length(i, j - 1);
            let mut c = d * d + cost[j];
            if length(i, j - 1) > lim {
                c += OVERLONG_PENALTY;
            }
            if c < cost[i] {
                cost[i] = c;
                nbrk[i] = j;
            }
        }
        // Go would loop forever if every candidate cost ≥ MaxInt32 (absurdly long cells only).
        if nbrk[i] == 0 {
            nbrk[i] = i + 1;
        }
    }
    let mut lines = Vec::new();
    let mut i = 0;
    while i < n {
        lines.push(words[i..nbrk[i]].to_vec());
        i = nbrk[i];
    }
    lines
}

/// tablewriter's `DisplayWidth`: the width after removing ANSI colour sequences
/// (`\x1b\[(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]`).
fn display_width(s: &str) -> usize {
    rune_width(&strip_ansi(s))
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find("\x1b[") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        match ansi_sequence_len(after) {
            Some(len) => rest = &after[len..],
            None => {
                out.push('\x1b');
                rest = &rest[pos + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Length of `(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]` at the start of `s`, if it matches.
fn ansi_sequence_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits_at = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 0;
    let first = digits_at(0);
    if first > 3 {
        return None;
    }
    if first > 0 {
        i = first;
        while b.get(i) == Some(&b';') {
            let k = digits_at(i + 1);
            if k == 0 || k > 3 {
                return None;
            }
            i += 1 + k;
        }
    }
    matches!(b.get(i), Some(b'm' | b'|' | b'K')).then_some(i + 1)
}

/// go-runewidth's `StringWidth` (approximation; exact for ASCII).
fn rune_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    const ZERO: &[(u32, u32)] = &[
        (0x0000, 0x001F),
        (0x007F, 0x009F),
        (0x00AD, 0x00AD),
        (0x0300, 0x036F),
        (0x0483, 0x0489),
        (0x0591, 0x05BD),
        (0x0610, 0x061A),
        (0x064B, 0x065F),
        (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF),
        (0x200B, 0x200F),
        (0x2028, 0x202E),
        (0x206A, 0x206F),
        (0x20D0, 0x20FF),
        (0xFE00, 0xFE0F),
        (0xFE20, 0xFE2F),
        (0xFEFF, 0xFEFF),
    ];
    const WIDE: &[(u32, u32)] = &[
        (0x1100, 0x115F),
        (0x2E80, 0x303E),
        (0x3041, 0x33FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA000, 0xA4CF),
        (0xAC00, 0xD7A3),
        (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F),
        (0xFF00, 0xFF60),
        (0xFFE0, 0xFFE6),
        (0x1F300, 0x1F64F),
        (0x1F900, 0x1F9FF),
        (0x20000, 0x2FFFD),
        (0x30000, 0x3FFFD),
    ];
    let cp = c as u32;
    let within = |t: &[(u32, u32)]| t.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp));
    if (0x20..0x7F).contains(&cp) {
        1
    } else if within(ZERO) {
        0
    } else if within(WIDE) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn title_like_tablewriter() {
        let cases = [
            ("Peer address", "PEER ADDRESS"),
            ("ips_total", "IPS TOTAL"),
            ("IPS IN USE", "IPS IN USE"),
            ("BORROWING-NODE", "BORROWING-NODE"),
            ("a.b", "A B"),
            ("1.5", "1.5"),
            ("v1.2", "V1.2"),
            ("x.", "X"),
            (".5", ".5"),
            ("a .5", "A .5"),
            ("_a_", "A"),
            ("._", " "),
            ("  ", " "),
            ("", ""),
            ("straße", "STRAßE"),
        ];
        for (input, want) in cases {
            assert_eq!(title(input), want, "title({input:?})");
        }
    }

    #[test]
    fn decimal_pattern() {
        for yes in [
            "0",
            "64",
            "65536",
            "-1",
            "1.5",
            "-12.25",
            "1,234",
            "12,345,678.90",
        ] {
            assert!(is_decimal(yes), "{yes} should be right-aligned");
        }
        for no in [
            "",
            "-",
            "1.",
            ".5",
            "1,23",
            "1234,567",
            "1.0486e+06",
            "8 (0%)",
            "1,",
            "1.2.3",
            "+1",
            "１",
        ] {
            assert!(!is_decimal(no), "{no} should be left-aligned");
        }
    }

    #[test]
    fn wrap_is_minimal_raggedness_not_greedy() {
        // Greedy would give ["aaa bb", "cc", "ddddd"] (slack² 0 + 16); WrapWords finds
        // ["aaa", "bb cc", "ddddd"] (slack² 9 + 1).
        assert_eq!(wrap_string("aaa bb cc ddddd", 6), ["aaa", "bb cc", "ddddd"]);
        assert_eq!(
            wrap_string("Active Socket: Connection refused by remote host", 30),
            ["Active Socket: Connection", "refused by remote host"]
        );
    }

    #[test]
    fn wrap_edge_cases() {
        assert_eq!(wrap_string("", 0), [""]);
        assert_eq!(wrap_string("fits on one line", 30), ["fits on one line"]);
        // A word wider than the limit raises the limit for the whole cell and is never broken.
        let long = "0123456789012345678901234567890123456789";
        assert_eq!(wrap_string(&format!("{long} x y"), 30), [long, "x y"]);
        assert_eq!(wrap_string(&format!("x {long}"), 30), ["x", long]);
        // Single-space splitting keeps empty words; newlines are spaces.
        assert_eq!(wrap_string("a  b", 2), ["a ", "b"]);
        assert_eq!(wrap_string("ab\ncd", 2), ["ab", "cd"]);
    }

    #[test]
    fn single_line_table() {
        let got = render(
            &["GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE"],
            &[row(&[
                "IP Pool",
                "10.244.0.0/16",
                "65536",
                "8 (0%)",
                "65528 (100%)",
            ])],
        );
        let want = "\
+----------+---------------+-----------+------------+--------------+
| GROUPING |     CIDR      | IPS TOTAL | IPS IN USE |   IPS FREE   |
+----------+---------------+-----------+------------+--------------+
| IP Pool  | 10.244.0.0/16 |     65536 | 8 (0%)     | 65528 (100%) |
+----------+---------------+-----------+------------+--------------+
";
        assert_eq!(got, want);
    }

    #[test]
    fn wrapped_cell_prints_filler_lines_and_keeps_width_30() {
        // 15 + 14 + 14 + 29-character words: greedy would fill "a b" (30) first; WrapWords
        // prefers ["a", "b c", "d"] (slack² 225 + 1 < 0 + 256). The column stays 30 wide
        // although no line is.
        let (a, b, c, d) = (
            "a".repeat(15),
            "b".repeat(14),
            "c".repeat(14),
            "d".repeat(29),
        );
        let long = format!("{a} {b} {c} {d}");
        let got = render(
            &["Key", "Value"],
            &[row(&["k1", &long]), row(&["k2", "12"])],
        );
        let rule = format!("+-----+{}+\n", "-".repeat(32));
        let mut want = rule.clone();
        want += &format!("| KEY | {:^30} |\n", "VALUE"); // gap 25: 12 left, 13 right
        want += &rule;
        want += &format!("| k1  | {a:<30} |\n");
        want += &format!("|     | {:<30} |\n", format!("{b} {c}"));
        want += &format!("|     | {d:<30} |\n");
        want += &format!("| k2  | {:>30} |\n", "12");
        want += &rule;
        assert_eq!(got, want);
    }

    #[test]
    fn wrapped_header_and_per_line_alignment() {
        // A header is wrapped, then titled and centred line by line.
        let got = render(
            &["n", "a_very_long_header_name and_more_words_after_it"],
            &[row(&["1", "x"])],
        );
        let rule = format!("+---+{}+\n", "-".repeat(32));
        let mut want = rule.clone();
        want += "| N |    A VERY LONG HEADER NAME     |\n";
        want += "|   |    AND MORE WORDS AFTER IT     |\n";
        want += &rule;
        want += &format!("| 1 | {:<30} |\n", "x");
        want += &rule;
        assert_eq!(got, want);

        // Each wrapped line is aligned on its own. The two-space filler overflows a 1-wide
        // column, as in tablewriter (PadRight never truncates).
        let got = render(&["a", "b"], &[row(&["1\n22\nabc", "x\ny"])]);
        let want = "\
+-----+---+
|  A  | B |
+-----+---+
|   1 | x |
|  22 | y |
| abc |    |
+-----+---+
";
        assert_eq!(got, want);
    }

    #[test]
    fn headers_only_short_rows_and_no_headers() {
        assert_eq!(
            render(&["PROPERTY", "VALUE"], &[]),
            "+----------+-------+\n| PROPERTY | VALUE |\n+----------+-------+\n+----------+-------+\n"
        );
        assert_eq!(
            render(&["a", "b"], &[row(&["x"])]),
            "+---+---+\n| A | B |\n+---+---+\n| x |\n+---+---+\n"
        );
        assert_eq!(
            render(&[], &[row(&["x", "10"])]),
            "+---+----+\n| x | 10 |\n+---+----+\n"
        );
    }

    #[test]
    fn widths_ignore_ansi_and_count_wide_chars() {
        assert_eq!(display_width("\x1b[1;31mred\x1b[0m"), 3);
        assert_eq!(display_width("\x1b[1234mx"), 7); // not a colour sequence: ESC is zero-width
        assert_eq!(display_width("名前"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
    }
}
