//! Selector tokenizer (pure): a port of libcalico-go's HEAD `tokenizer.AppendTokens`, plus columns.
//!
//! It accepts exactly the token streams Calico accepts; only the error texts are ours.

use super::SelectorError;

/// Longest label key Calico accepts (`tokenizer.MaxLabelLength`).
pub const MAX_LABEL_LENGTH: usize = 512;

/// Token kinds, named after Calico's `tokenizer.Tok*` constants (without `TokNone`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Label,
    StringLiteral,
    LBrace,
    RBrace,
    Comma,
    Eq,
    Ne,
    In,
    Not,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    All,
    Has,
    LParen,
    RParen,
    And,
    Or,
    Global,
    Eof,
}

impl TokenKind {
    /// How the token is spelled in a selector (canonical spelling); used in error messages.
    pub fn symbol(self) -> &'static str {
        use TokenKind::*;
        match self {
            Label => "label",
            StringLiteral => "string",
            LBrace => "{",
            RBrace => "}",
            Comma => ",",
            Eq => "==",
            Ne => "!=",
            In => "in",
            Not => "!",
            NotIn => "not in",
            Contains => "contains",
            StartsWith => "starts with",
            EndsWith => "ends with",
            All => "all()",
            Has => "has()",
            LParen => "(",
            RParen => ")",
            And => "&&",
            Or => "||",
            Global => "global()",
            Eof => "end of input",
        }
    }
}

/// One token. `value` is the label for `Label`/`Has`, the unquoted text for `StringLiteral`,
/// empty otherwise (as in Calico). `column` is the 1-based character column where it starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub value: String,
    pub column: usize,
}

/// Splits a selector into tokens, always ending with one `Eof` token.
///
/// Whitespace is space or tab only. After a label, words are read as operators
/// (`contains`, `starts with`, `ends with`, `not in`, `in`, each needing a word break after it), which
/// is why `has`, `all` or `in` can themselves be label names.
pub fn tokenize(input: &str) -> Result<Vec<Token>, SelectorError> {
    let mut lexer = Lexer {
        input,
        bytes: input.as_bytes(),
        ascii: input.is_ascii(),
        pos: 0,
        tokens: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

/// True for the bytes Calico allows in a label key: `[A-Za-z0-9_./-]`.
pub(super) fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-')
}

/// Operators after a label, in the order Calico's tokenizer tries them.
const OPERATORS: [(&str, Option<&str>, TokenKind); 5] = [
    ("contains", None, TokenKind::Contains),
    ("starts", Some("with"), TokenKind::StartsWith),
    ("ends", Some("with"), TokenKind::EndsWith),
    ("not", Some("in"), TokenKind::NotIn),
    ("in", None, TokenKind::In),
];

/// Two-word operators for error messages: (first word, second word, what must follow them).
const MULTI_WORD_OPS: [(&str, &str, &str); 3] = [
    ("starts", "with", "a quoted string"),
    ("ends", "with", "a quoted string"),
    ("not", "in", "'{'"),
];

struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    ascii: bool,
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn run(&mut self) -> Result<(), SelectorError> {
        loop {
            self.pos = self.skip_ws(self.pos);
            let Some(&b) = self.bytes.get(self.pos) else {
                self.push(TokenKind::Eof, String::new(), self.pos, self.pos);
                return Ok(());
            };
            self.next_token(b)?;
        }
    }

    fn next_token(&mut self, b: u8) -> Result<(), SelectorError> {
        let start = self.pos;
        match b {
            b'(' => self.push(TokenKind::LParen, String::new(), start, start + 1),
            b')' => self.push(TokenKind::RParen, String::new(), start, start + 1),
            b'{' => self.push(TokenKind::LBrace, String::new(), start, start + 1),
            b'}' => self.push(TokenKind::RBrace, String::new(), start, start + 1),
            b',' => self.push(TokenKind::Comma, String::new(), start, start + 1),
            b'"' | b'\'' => self.string_literal(b)?,
            b'=' => self.doubled(b'=', TokenKind::Eq)?,
            b'&' => self.doubled(b'&', TokenKind::And)?,
            b'|' => self.doubled(b'|', TokenKind::Or)?,
            b'!' if self.bytes.get(start + 1) == Some(&b'=') => {
                self.push(TokenKind::Ne, String::new(), start, start + 2)
            }
            b'!' => self.push(TokenKind::Not, String::new(), start, start + 1),
            _ if self.last_kind() == Some(TokenKind::Label) => self.operator()?,
            _ if self.rest().starts_with("has(") => self.has_call()?,
            _ if self.rest().starts_with("all(") => self.empty_call("all(", TokenKind::All)?,
            _ if self.rest().starts_with("global(") => {
                self.empty_call("global(", TokenKind::Global)?
            }
            _ => {
                let (label, end) = self.label_at(start)?;
                self.push(TokenKind::Label, label.to_string(), start, end);
            }
        }
        Ok(())
    }

    /// A quoted string runs to the next identical quote; there are no escapes.
    fn string_literal(&mut self, quote: u8) -> Result<(), SelectorError> {
        let start = self.pos;
        let body = &self.input[start + 1..];
        match body.bytes().position(|c| c == quote) {
            Some(len) => {
                let value = body[..len].to_string();
                self.push(TokenKind::StringLiteral, value, start, start + len + 2);
                Ok(())
            }
            None => Err(self.error(start, "unterminated string starting".into())),
        }
    }

    /// `==`, `&&` and `||`: a single `=`, `&` or `|` is an error.
    fn doubled(&mut self, b: u8, kind: TokenKind) -> Result<(), SelectorError> {
        let start = self.pos;
        if self.bytes.get(start + 1) == Some(&b) {
            self.push(kind, String::new(), start, start + 2);
            return Ok(());
        }
        let (single, double) = (char::from(b), kind.symbol());
        Err(self.error(
            start,
            format!("expected '{double}' but found a single '{single}'"),
        ))
    }

    /// Right after a label only an operator may follow, tried in Calico's order.
    fn operator(&mut self) -> Result<(), SelectorError> {
        let start = self.pos;
        for (first, second, kind) in OPERATORS {
            let end = match second {
                None => self.cut_word(start, first),
                Some(second) => self.cut_words(start, first, second),
            };
            if let Some(end) = end {
                self.push(kind, String::new(), start, end);
                return Ok(());
            }
        }
        Err(self.operator_error(start))
    }

    /// Explains why no operator was recognised at `start`, pointing at the offending word.
    fn operator_error(&self, start: usize) -> SelectorError {
        for (first, second, follow) in MULTI_WORD_OPS {
            // A whole operator such as "starts with" followed by a word: Calico requires a word
            // break after the operator *and* its trailing blanks, so `a starts with b` fails here.
            if let Some(end) = self.cut_words_loose(start, first, second) {
                // Only a label can be there (anything else would have been a word break).
                let found = format!("label {}", self.describe_at(end));
                let msg = format!("expected {follow} after '{first} {second}' but found {found}");
                return self.error(end, msg);
            }
        }
        let word = self.word_at(start);
        for (first, second, _) in MULTI_WORD_OPS {
            if word == first {
                let next = self.skip_ws(start + first.len());
                let found = self.describe_at(next);
                let msg = format!("expected '{second}' after '{first}' but found {found}");
                return self.error(next, msg);
            }
        }
        let label = self.tokens.last().map_or("", |t| t.value.as_str());
        let found = self.describe_at(start);
        let msg = format!("expected an operator after label '{label}' but found {found}");
        self.error(start, msg)
    }

    /// `has(label)` with optional blanks inside the parentheses.
    fn has_call(&mut self) -> Result<(), SelectorError> {
        let start = self.pos;
        let label_pos = self.skip_ws(start + "has(".len());
        if self.word_at(label_pos).is_empty() {
            let found = self.describe_at(label_pos);
            let msg = format!("expected a label name after 'has(' but found {found}");
            return Err(self.error(label_pos, msg));
        }
        let (label, end) = self.label_at(label_pos)?;
        let close = self.skip_ws(end);
        if self.bytes.get(close) != Some(&b')') {
            let found = self.describe_at(close);
            let msg = format!("expected ')' after 'has({label}' but found {found}");
            return Err(self.error(close, msg));
        }
        self.push(TokenKind::Has, label.to_string(), start, close + 1);
        Ok(())
    }

    /// `all()` and `global()`, with optional blanks inside the parentheses.
    fn empty_call(&mut self, opening: &str, kind: TokenKind) -> Result<(), SelectorError> {
        let start = self.pos;
        let close = self.skip_ws(start + opening.len());
        if self.bytes.get(close) != Some(&b')') {
            let found = self.describe_at(close);
            let msg = format!("expected ')' after '{opening}' but found {found}");
            return Err(self.error(close, msg));
        }
        self.push(kind, String::new(), start, close + 1);
        Ok(())
    }

    /// Reads a label key at `pos` (Calico's `cutIdentifier`).
    fn label_at(&self, pos: usize) -> Result<(&str, usize), SelectorError> {
        let word = self.word_at(pos);
        if word.is_empty() {
            let found = self.describe_at(pos);
            return Err(self.error(pos, format!("unexpected character {found}")));
        }
        if word.len() > MAX_LABEL_LENGTH {
            let len = word.len();
            let msg = format!(
                "label of {len} characters is longer than the maximum of {MAX_LABEL_LENGTH}"
            );
            return Err(self.error(pos, msg));
        }
        Ok((word, pos + word.len()))
    }

    /// `word` followed by a word break (Calico's `cutPrefixCheckBreak`).
    fn cut_word(&self, pos: usize, word: &str) -> Option<usize> {
        let end = pos + word.len();
        (self.input[pos..].starts_with(word) && self.is_break(end)).then_some(end)
    }

    /// Two words with optional blanks between and after them, then a word break
    /// (Calico's `cutMultiWordPrefixCheckBreak`, so `notin` and `starts  with` are accepted).
    fn cut_words(&self, pos: usize, first: &str, second: &str) -> Option<usize> {
        let mut p = pos;
        for word in [first, second] {
            if !self.input[p..].starts_with(word) {
                return None;
            }
            p = self.skip_ws(p + word.len());
        }
        self.is_break(p).then_some(p)
    }

    /// Like `cut_words` but only requiring the break straight after the second word.
    fn cut_words_loose(&self, pos: usize, first: &str, second: &str) -> Option<usize> {
        if !self.input[pos..].starts_with(first) {
            return None;
        }
        let after_first = self.skip_ws(pos + first.len());
        let end = after_first + second.len();
        let ok = self.input[after_first..].starts_with(second) && self.is_break(end);
        ok.then(|| self.skip_ws(end))
    }

    fn is_break(&self, pos: usize) -> bool {
        self.bytes.get(pos).is_none_or(|&b| !is_label_byte(b))
    }

    /// The run of label characters starting at `pos` (possibly empty).
    fn word_at(&self, pos: usize) -> &str {
        let len = self.bytes[pos..]
            .iter()
            .take_while(|&&b| is_label_byte(b))
            .count();
        &self.input[pos..pos + len]
    }

    /// Human description of the raw input at `pos`, for "but found …".
    fn describe_at(&self, pos: usize) -> String {
        let word = self.word_at(pos);
        if !word.is_empty() {
            return format!("'{word}'");
        }
        match self.input[pos..].chars().next() {
            None => "end of input".to_string(),
            Some('"' | '\'') => "a quoted string".to_string(),
            Some(c) => format!("'{}'", c.escape_debug()),
        }
    }

    fn skip_ws(&self, mut pos: usize) -> usize {
        while matches!(self.bytes.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        pos
    }

    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn last_kind(&self) -> Option<TokenKind> {
        self.tokens.last().map(|t| t.kind)
    }

    fn push(&mut self, kind: TokenKind, value: String, start: usize, end: usize) {
        let column = self.column(start);
        self.tokens.push(Token {
            kind,
            value,
            column,
        });
        self.pos = end;
    }

    /// 1-based character column of byte offset `pos` (non-ASCII text counts one per character).
    fn column(&self, pos: usize) -> usize {
        if self.ascii {
            pos + 1
        } else {
            self.input[..pos].chars().count() + 1
        }
    }

    fn error(&self, pos: usize, message: String) -> SelectorError {
        SelectorError {
            message,
            column: self.column(pos),
        }
    }
}
