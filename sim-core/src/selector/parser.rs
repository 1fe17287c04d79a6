//! Selector parser (pure): recursive descent over tokens, a port of libcalico-go's `parser.Parse`.
//!
//! Accepts exactly what Calico accepts (bar the nesting limit); error texts and columns are ours.

use super::ast::{quote, CompareOp, Node};
use super::tokenizer::{tokenize, Token, TokenKind};
use super::SelectorError;

/// Deepest parenthesis nesting accepted. Calico has no limit; we stop well before the recursion
/// could exhaust a thread's stack, far beyond anything a real policy uses.
pub const MAX_NESTING: usize = 200;

/// Parses a whole selector; empty or blank input is `all()`.
pub(super) fn parse(input: &str) -> Result<Node, SelectorError> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
    };
    if parser.peek().kind == TokenKind::Eof {
        return Ok(Node::All);
    }
    let node = parser.or_expression()?;
    parser.expect_end()?;
    Ok(node)
}

struct Parser<'a> {
    /// Never empty: the tokenizer always ends the list with `Eof`.
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    /// `and ( "||" and )*`; a single operand is returned as itself.
    fn or_expression(&mut self) -> Result<Node, SelectorError> {
        let mut operands = vec![self.and_expression()?];
        while self.peek().kind == TokenKind::Or {
            self.advance();
            operands.push(self.and_expression()?);
        }
        Ok(collapse(operands, Node::Or))
    }

    /// `op ( "&&" op )*`: `&&` binds tighter than `||`.
    fn and_expression(&mut self) -> Result<Node, SelectorError> {
        let mut operands = vec![self.operation()?];
        while self.peek().kind == TokenKind::And {
            self.advance();
            operands.push(self.operation()?);
        }
        Ok(collapse(operands, Node::And))
    }

    /// `"!"* primary`: the `!`s apply to this one operation and collapse pairwise.
    fn operation(&mut self) -> Result<Node, SelectorError> {
        let mut negated = false;
        while self.peek().kind == TokenKind::Not {
            negated = !negated;
            self.advance();
        }
        let node = self.primary()?;
        Ok(if negated {
            Node::Not(Box::new(node))
        } else {
            node
        })
    }

    fn primary(&mut self) -> Result<Node, SelectorError> {
        let tokens = self.tokens;
        let previous = self.pos.checked_sub(1).map(|i| &tokens[i]);
        let token = self.advance();
        match token.kind {
            TokenKind::Has => Ok(Node::Has(token.value.clone())),
            TokenKind::All => Ok(Node::All),
            TokenKind::Global => Ok(Node::Global),
            TokenKind::Label => self.label_operation(token),
            TokenKind::LParen => self.group(token),
            _ => {
                let after =
                    previous.map_or(String::new(), |p| format!(" after '{}'", p.kind.symbol()));
                let msg = format!(
                    "expected an expression{after} but found {}",
                    describe(token)
                );
                Err(error(token, msg))
            }
        }
    }

    /// `label <op> "string"` or `label [not] in {…}`.
    fn label_operation(&mut self, label: &Token) -> Result<Node, SelectorError> {
        let op = self.advance();
        let compare = match op.kind {
            TokenKind::Eq => CompareOp::Eq,
            TokenKind::Ne => CompareOp::Ne,
            TokenKind::Contains => CompareOp::Contains,
            TokenKind::StartsWith => CompareOp::StartsWith,
            TokenKind::EndsWith => CompareOp::EndsWith,
            TokenKind::In | TokenKind::NotIn => return self.set_operation(label, op),
            _ => {
                let (name, found) = (&label.value, describe(op));
                let msg = format!("expected an operator after label '{name}' but found {found}");
                return Err(error(op, msg));
            }
        };
        let value = self.advance();
        if value.kind != TokenKind::StringLiteral {
            return Err(expected_after("a quoted string", op, value));
        }
        Ok(Node::Compare {
            label: label.value.clone(),
            op: compare,
            value: value.value.clone(),
        })
    }

    /// `{ [ string ( "," string )* [","] ] }` after `in` / `not in`.
    fn set_operation(&mut self, label: &Token, op: &Token) -> Result<Node, SelectorError> {
        let brace = self.advance();
        if brace.kind != TokenKind::LBrace {
            return Err(expected_after("'{'", op, brace));
        }
        let mut values = Vec::new();
        let mut after_value = false;
        while self.peek().kind == TokenKind::StringLiteral {
            values.push(self.advance().value.clone());
            after_value = self.peek().kind != TokenKind::Comma;
            if after_value {
                break;
            }
            self.advance();
        }
        let close = self.advance();
        if close.kind != TokenKind::RBrace {
            let wanted = if after_value {
                "expected ',' or '}' after a set value"
            } else {
                "expected a quoted string or '}' in the set"
            };
            return Err(error(
                close,
                format!("{wanted} but found {}", describe(close)),
            ));
        }
        values.sort_unstable();
        values.dedup();
        Ok(Node::InSet {
            label: label.value.clone(),
            negated: op.kind == TokenKind::NotIn,
            values,
        })
    }

    /// `( or )`: the parentheses themselves leave no trace in the tree.
    fn group(&mut self, open: &Token) -> Result<Node, SelectorError> {
        if self.depth >= MAX_NESTING {
            let msg = format!("parentheses nested more than {MAX_NESTING} deep");
            return Err(error(open, msg));
        }
        self.depth += 1;
        let inner = self.or_expression()?;
        self.depth -= 1;
        let close = self.advance();
        match close.kind {
            TokenKind::RParen => Ok(inner),
            TokenKind::Eof => {
                let msg = format!(
                    "expected ')' to close the '(' at column {} but found end of input",
                    open.column
                );
                Err(error(close, msg))
            }
            _ => {
                let msg = format!("expected '&&', '||' or ')' but found {}", describe(close));
                Err(error(close, msg))
            }
        }
    }

    fn expect_end(&self) -> Result<(), SelectorError> {
        let token = self.peek();
        match token.kind {
            TokenKind::Eof => Ok(()),
            TokenKind::RParen => Err(error(token, "unmatched ')'".to_string())),
            _ => {
                let found = describe(token);
                let msg = format!("expected '&&', '||' or end of input but found {found}");
                Err(error(token, msg))
            }
        }
    }

    fn peek(&self) -> &'a Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    /// Returns the current token and moves past it; stays on the final `Eof`.
    fn advance(&mut self) -> &'a Token {
        let token = self.peek();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }
}

/// One operand stands for itself; several form an `&&`/`||` node.
fn collapse(mut operands: Vec<Node>, group: fn(Vec<Node>) -> Node) -> Node {
    if operands.len() == 1 {
        operands.pop().expect("one operand")
    } else {
        group(operands)
    }
}

/// What the user wrote, for "but found …".
fn describe(token: &Token) -> String {
    match token.kind {
        TokenKind::Eof => "end of input".to_string(),
        TokenKind::Label => format!("label '{}'", token.value),
        TokenKind::StringLiteral => format!("string {}", quote(&token.value)),
        TokenKind::Has => format!("'has({})'", token.value),
        kind => format!("'{}'", kind.symbol()),
    }
}

fn expected_after(wanted: &str, op: &Token, found: &Token) -> SelectorError {
    let (op, found_text) = (op.kind.symbol(), describe(found));
    error(
        found,
        format!("expected {wanted} after '{op}' but found {found_text}"),
    )
}

fn error(token: &Token, message: String) -> SelectorError {
    SelectorError {
        message,
        column: token.column,
    }
}
