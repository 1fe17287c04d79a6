//! Unit tests of the selector module: precedence, absent labels, error messages and columns.

use super::*;

fn sel(input: &str) -> Selector {
    Selector::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e}"))
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn err(input: &str) -> SelectorError {
    match Selector::parse(input) {
        Ok(s) => panic!("{input:?} should fail but parsed as {s}"),
        Err(e) => e,
    }
}

#[test]
fn and_binds_tighter_than_or() {
    let s = sel(r#"a == "1" || b == "2" && c == "3""#);
    assert_eq!(s.canonical(), r#"(a == "1" || (b == "2" && c == "3"))"#);
    assert!(s.matches(&labels(&[("a", "1")])));
    assert!(!s.matches(&labels(&[("b", "2")])));
    assert!(s.matches(&labels(&[("b", "2"), ("c", "3")])));
}

#[test]
fn parentheses_override_precedence_and_leave_no_trace() {
    let s = sel(r#"(a == "1" || b == "2") && c == "3""#);
    assert_eq!(s.canonical(), r#"((a == "1" || b == "2") && c == "3")"#);
    assert!(!s.matches(&labels(&[("a", "1")])));
    assert_eq!(sel("((((has(a)))))"), sel("has(a)"));
}

#[test]
fn chains_are_flat_but_explicit_groups_nest() {
    assert_eq!(
        sel("has(a) && has(b) && has(c)").canonical(),
        "(has(a) && has(b) && has(c))"
    );
    assert_eq!(
        sel("(has(a) && has(b)) && has(c)").canonical(),
        "((has(a) && has(b)) && has(c))"
    );
}

#[test]
fn not_applies_to_one_operation_and_collapses() {
    let s = sel(r#"!a == "x" && b == "y""#);
    assert_eq!(s.canonical(), r#"(!a == "x" && b == "y")"#);
    assert!(s.matches(&labels(&[("b", "y")])));
    assert_eq!(sel("!!has(a)").canonical(), "has(a)");
    assert_eq!(sel("! !! has(a)").canonical(), "!has(a)");
    assert_eq!(
        sel("!(has(a) || has(b))").canonical(),
        "!(has(a) || has(b))"
    );
}

#[test]
fn absent_label_semantics() {
    let none = labels(&[("other", "x")]);
    let cases = [
        (r#"a == "x""#, false),
        (r#"a != "x""#, true),
        (r#"a contains """#, false),
        (r#"a starts with """#, false),
        (r#"a ends with """#, false),
        (r#"a in {"x"}"#, false),
        (r#"a not in {"x"}"#, true),
        ("has(a)", false),
        ("!has(a)", true),
        (r#"a in {}"#, false),
        (r#"a not in {}"#, true),
    ];
    for (input, expected) in cases {
        assert_eq!(sel(input).matches(&none), expected, "{input} with a absent");
    }
}

#[test]
fn present_label_semantics_are_exact_and_case_sensitive() {
    let l = labels(&[("a", "Value"), ("empty", "")]);
    let cases = [
        (r#"a == "Value""#, true),
        (r#"a == "value""#, false),
        (r#"A == "Value""#, false),
        (r#"a != "value""#, true),
        (r#"a contains "alu""#, true),
        (r#"a starts with "Va""#, true),
        (r#"a ends with "ue""#, true),
        (r#"a endswith "Va""#, false),
        (r#"a in {"x", "Value"}"#, true),
        (r#"a notin {"x", "Value"}"#, false),
        (r#"a in {}"#, false),
        (r#"a not in {}"#, true),
        (r#"empty == """#, true),
        ("has(empty)", true),
    ];
    for (input, expected) in cases {
        assert_eq!(sel(input).matches(&l), expected, "{input}");
    }
}

#[test]
fn keywords_are_labels_outside_operator_position() {
    let l = labels(&[
        ("has", "1"),
        ("in", "x"),
        ("all", "y"),
        ("global", "z"),
        ("contains", "c"),
    ]);
    for input in [
        "has(has)",
        r#"in == "x""#,
        r#"all == "y""#,
        r#"global in {"z"}"#,
        r#"contains contains "c""#,
    ] {
        assert!(sel(input).matches(&l), "{input}");
    }
}

#[test]
fn blank_inputs_and_all_are_all() {
    for input in ["", " ", "\t ", "all()", " all( ) ", "(all())"] {
        let s = sel(input);
        assert!(s.is_all(), "{input:?}");
        assert_eq!(s, Selector::all());
    }
    for input in ["global()", "!all()", "all() && all()", "has(a)"] {
        assert!(!sel(input).is_all(), "{input:?}");
    }
    assert_eq!(Selector::default(), Selector::all());
}

#[test]
fn canonical_quoting_sets_and_uid() {
    assert_eq!(
        sel(r#"a in {'z', "a", 'z'}"#).canonical(),
        r#"a in {"a", "z"}"#
    );
    assert_eq!(sel(r#"a == 'say "hi"'"#).canonical(), r#"a == 'say "hi"'"#);
    assert_eq!(sel("a startswith 'x'").canonical(), r#"a starts with "x""#);
    assert_eq!(
        Selector::all().unique_id(),
        "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug"
    );
    assert_eq!(sel(r#"a in {"b", "a"}"#), sel(r#"a in {'a','b','a',}"#));
    assert_ne!(sel(r#"a in {"a"}"#), sel(r#"a not in {"a"}"#));
}

#[test]
fn display_and_from_str_use_the_canonical_form() {
    let s: Selector = "a=='b'&&has(c)".parse().expect("parses");
    assert_eq!(s.to_string(), r#"(a == "b" && has(c))"#);
    assert!("a = 'b'".parse::<Selector>().is_err());
}

#[test]
fn prefix_labels_rewrites_every_key_and_leaves_the_original() {
    let s = sel(r#"!(a == "x" || has(b)) && c not in {"y"} && all()"#);
    let p = s.prefix_labels("pcns.");
    assert_eq!(
        p.canonical(),
        r#"(!(pcns.a == "x" || has(pcns.b)) && pcns.c not in {"y"} && all())"#
    );
    assert_eq!(
        s.canonical(),
        r#"(!(a == "x" || has(b)) && c not in {"y"} && all())"#
    );
}

#[test]
fn labels_trait_works_for_hash_maps_references_and_layered_views() {
    /// Endpoint labels over namespace labels inherited with a `pcns.` prefix.
    struct Layered<'a> {
        own: &'a BTreeMap<String, String>,
        namespace: &'a HashMap<String, String>,
    }
    impl Labels for Layered<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            match key.strip_prefix("pcns.") {
                Some(ns_key) => self.namespace.get(ns_key).map(String::as_str),
                None => self.own.get(key).map(String::as_str),
            }
        }
    }
    let own = labels(&[("app", "web")]);
    let namespace: HashMap<String, String> = [("team".to_string(), "blue".to_string())].into();
    let view = Layered {
        own: &own,
        namespace: &namespace,
    };
    let s = sel(r#"app == "web" && pcns.team == "blue" && !has(team)"#);
    assert!(s.matches(&view));
    assert!(s.matches(&&view));
    assert!(sel(r#"team == "blue""#).matches(&namespace));
}

#[test]
fn whitespace_is_space_or_tab_only() {
    assert!(sel("a\t==\t'b'").matches(&labels(&[("a", "b")])));
    let e = err("a == 'b'\n");
    assert_eq!(
        (e.message.as_str(), e.column),
        ("unexpected character '\\n'", 9)
    );
    let e = err("a == 'b'\r");
    assert_eq!(e.column, 9);
}

#[test]
fn label_length_limit_is_512() {
    let ok = format!("{} == 'v'", "k".repeat(MAX_LABEL_LENGTH));
    assert!(Selector::parse(&ok).is_ok());
    let long = format!("a == 'v' && has({})", "k".repeat(MAX_LABEL_LENGTH + 1));
    let e = err(&long);
    assert_eq!(e.column, 17);
    assert!(e.message.contains("513 characters"), "{e}");
}

#[test]
fn error_messages_and_columns() {
    let cases = [
        ("a == \"b", "unterminated string starting", 6),
        ("a = 'b'", "expected '==' but found a single '='", 3),
        ("has(a) & has(b)", "expected '&&' but found a single '&'", 8),
        ("has(a) | has(b)", "expected '||' but found a single '|'", 8),
        (
            "app foo",
            "expected an operator after label 'app' but found 'foo'",
            5,
        ),
        (
            "app",
            "expected an operator after label 'app' but found end of input",
            4,
        ),
        (
            "a starts 'x'",
            "expected 'with' after 'starts' but found a quoted string",
            10,
        ),
        (
            "a not in c",
            "expected '{' after 'not in' but found label 'c'",
            10,
        ),
        (
            "b == b",
            "expected a quoted string after '==' but found label 'b'",
            6,
        ),
        (
            "'b1' == b",
            "expected an expression but found string \"b1\"",
            1,
        ),
        (
            "a in 'x'",
            "expected '{' after 'in' but found string \"x\"",
            6,
        ),
        (
            "a in {'x' 'y'}",
            "expected ',' or '}' after a set value but found string \"y\"",
            11,
        ),
        (
            "a in {,}",
            "expected a quoted string or '}' in the set but found ','",
            7,
        ),
        (
            "has()",
            "expected a label name after 'has(' but found ')'",
            5,
        ),
        (
            "has( a",
            "expected ')' after 'has(a' but found end of input",
            7,
        ),
        ("all(x)", "expected ')' after 'all(' but found 'x'", 5),
        (
            "has(a) &&",
            "expected an expression after '&&' but found end of input",
            10,
        ),
        (
            "!",
            "expected an expression after '!' but found end of input",
            2,
        ),
        ("()", "expected an expression after '(' but found ')'", 2),
        (
            "has(x) && (has(a) || has(b)",
            "expected ')' to close the '(' at column 11 but found end of input",
            28,
        ),
        (
            "(has(a) has(b))",
            "expected '&&', '||' or ')' but found 'has(b)'",
            9,
        ),
        ("has(a))", "unmatched ')'", 7),
        (
            "has(a) b == 'c'",
            "expected '&&', '||' or end of input but found label 'b'",
            8,
        ),
        (
            "a@b == 'c'",
            "expected an operator after label 'a' but found '@'",
            2,
        ),
    ];
    for (input, message, column) in cases {
        let e = err(input);
        assert_eq!(
            (e.message.as_str(), e.column),
            (message, column),
            "{input:?}"
        );
    }
}

#[test]
fn display_appends_the_column() {
    let e = err("app == 'x' && (tier == 'a'");
    assert_eq!(
        e.to_string(),
        "expected ')' to close the '(' at column 15 but found end of input at column 27"
    );
    let _: &dyn std::error::Error = &e;
}

#[test]
fn columns_count_characters_not_bytes() {
    let e = err("a == 'é' && %");
    assert_eq!(e.column, 13);
    let tokens = tokenize("a == 'é' && b").expect("tokenizes");
    let columns: Vec<usize> = tokens.iter().map(|t| t.column).collect();
    assert_eq!(columns, [1, 3, 6, 10, 13, 14]);
}

#[test]
fn tokens_carry_kind_value_and_column() {
    let tokens = tokenize("  has( x ) || y notin {'a',}").expect("tokenizes");
    let kinds: Vec<(TokenKind, &str, usize)> = tokens
        .iter()
        .map(|t| (t.kind, t.value.as_str(), t.column))
        .collect();
    use TokenKind::*;
    assert_eq!(
        kinds,
        [
            (Has, "x", 3),
            (Or, "", 12),
            (Label, "y", 15),
            (NotIn, "", 17),
            (LBrace, "", 23),
            (StringLiteral, "a", 24),
            (Comma, "", 27),
            (RBrace, "", 28),
            (Eof, "", 29),
        ]
    );
}

#[test]
fn nesting_limit_stops_before_the_stack_does() {
    let deep = |n: usize| format!("{}has(a){}", "(".repeat(n), ")".repeat(n));
    assert_eq!(sel(&deep(MAX_NESTING)), sel("has(a)"));
    let e = err(&deep(MAX_NESTING + 1));
    assert_eq!(e.column, MAX_NESTING + 1);
    assert!(e.message.contains("nested"), "{e}");
}

/// We follow Calico's HEAD tokenizer. v3.16–v3.28 used a regex tokenizer whose `\s*` also let
/// newlines through inside `has( )`, `all( )`, `starts with` and `not in`; HEAD rejects them.
#[test]
fn newlines_are_rejected_even_where_the_v3_28_regex_tokenizer_allowed_them() {
    for input in ["has(\na)", "all(\n)", "a starts\nwith 'x'", "a not\nin {}"] {
        assert!(Selector::parse(input).is_err(), "{input:?}");
    }
}
