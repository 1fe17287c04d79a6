//! Splitting a multi-document YAML text into documents, keeping where each starts.
//!
//! serde's YAML deserialisers report lines relative to a document; knowing each
//! document's first line lets every diagnostic point at the line in the user's file.

/// One YAML document of a file: its 1-based index, its first line and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDocument<'a> {
    pub index: usize,
    pub first_line: usize,
    pub text: &'a str,
}

/// Splits at `---` lines (and `...` ends). Documents holding only comments or
/// blank lines are dropped, as YAML loaders do; indices count the kept ones.
pub fn split_documents(text: &str) -> Vec<RawDocument<'_>> {
    let mut docs = Vec::new();
    let mut start_byte = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let bare = line.trim_end_matches(['\n', '\r']);
        if is_separator(bare) {
            push_if_content(&mut docs, &text[start_byte..offset], start_line);
            start_byte = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    push_if_content(&mut docs, &text[start_byte..], start_line);
    docs
}

fn is_separator(line: &str) -> bool {
    let rest = match line
        .strip_prefix("---")
        .or_else(|| line.strip_prefix("..."))
    {
        Some(rest) => rest,
        None => return false,
    };
    rest.is_empty() || rest.starts_with([' ', '\t', '#'])
}

fn push_if_content<'a>(docs: &mut Vec<RawDocument<'a>>, text: &'a str, first_line: usize) {
    let has_content = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if has_content {
        docs.push(RawDocument {
            index: docs.len() + 1,
            first_line,
            text,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_start_lines() {
        let text = "# header\n---\na: 1\n---\n# only a comment\n--- # tagged\nb: 2\nc: 3\n...\n";
        let docs = split_documents(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(
            (docs[0].index, docs[0].first_line, docs[0].text),
            (1, 3, "a: 1\n")
        );
        assert_eq!((docs[1].index, docs[1].first_line), (2, 7));
        assert_eq!(docs[1].text, "b: 2\nc: 3\n");
    }

    #[test]
    fn a_file_without_separators_is_one_document() {
        let docs = split_documents("kind: Pod\nmetadata:\n  name: x\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].first_line, 1);
    }

    #[test]
    fn dashes_inside_a_value_do_not_split() {
        let docs = split_documents("a: |\n  ---\n  text\nb: ---x\n");
        assert_eq!(docs.len(), 1);
    }
}
