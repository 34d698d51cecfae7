//! A small YAML tree with the line of every node, built from yaml-rust2's event parser.
//!
//! A compose file comes from anywhere, so the tree is built with bounds: aliases are expanded
//! here (the rest of the compose code never sees one) with a cap on the total number of nodes, so
//! that a "billion laughs" file fails fast instead of eating memory; nesting is capped, so that no
//! later recursive walk can overflow the stack; a key twice in one mapping is refused (YAML says it
//! is an error, and silently taking one of them hides a typo). Merge keys (`<<: *anchor` and
//! `<<: [*a, *b]`) are resolved as YAML 1.1 defines them, because compose files use them with
//! `x-` extension blocks. Scalars stay text: compose decides per key what a value means.

use std::collections::{HashMap, HashSet};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Nodes the expanded tree may hold: a real compose file has a few thousand at most.
pub const MAX_NODES: usize = 100_000;
/// Text that weighs as much as one node: with [`MAX_NODES`], aliases can expand to at most about
/// 25 MiB of text.
pub const BYTES_PER_NODE: usize = 256;
/// Nesting depth: a compose file needs about eight.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null`, or nothing at all (`key:`).
    Null,
    /// Any other scalar, as written; `plain` is false when it was quoted or a block scalar.
    Str {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in file order; keys are unique (scalars, compared as text).
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line where the node starts.
    pub line: usize,
    pub value: Value,
    /// Nodes in this subtree, itself included, a scalar weighing one more per [`BYTES_PER_NODE`]
    /// bytes of text: what copying it for an alias costs. So the cap bounds the expanded text
    /// too (an alias bomb of one long scalar), not only the node count.
    size: usize,
}

impl Node {
    /// The text of a scalar key or value (None for null, sequences and mappings).
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// Where and why the YAML itself is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub msg: String,
}

fn err(line: usize, msg: impl Into<String>) -> YamlError {
    YamlError {
        line,
        msg: msg.into(),
    }
}

/// A collection being built.
enum Frame {
    Seq {
        line: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        /// Entries from merge keys, in precedence order; explicit keys win over them.
        merged: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Each explicit key's line, and the keys merged so far: looked up per key, so a mapping
        /// with tens of thousands of keys is not quadratic.
        seen: HashMap<String, usize>,
        merged_keys: HashSet<String>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    /// Nodes made so far, aliases counted at their expanded size.
    total: usize,
    root: Option<Node>,
}

/// Parses one YAML document into a tree. An empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        total: 0,
        root: None,
    };
    let mut documents = 0;
    loop {
        let (ev, mark) = parser
            .next_token()
            .map_err(|e| err(e.marker().line().max(1), e.info().to_string()))?;
        let line = mark.line().max(1);
        match ev {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(err(
                        line,
                        "a second YAML document (`---`): a compose file is one document",
                    ));
                }
            }
            Event::Alias(id) => {
                let node = b
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| err(line, "an alias to an unknown anchor"))?;
                b.count(node.size, line)?;
                b.finish(node, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(t) = tag {
                    return Err(err(
                        line,
                        format!(
                            "YAML tag {}{}: tags are not supported in a compose file for liftoff",
                            t.handle, t.suffix
                        ),
                    ));
                }
                let weight = 1 + text.len() / BYTES_PER_NODE;
                b.count(weight, line)?;
                let plain = style == TScalarStyle::Plain;
                let value = if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
                {
                    Value::Null
                } else {
                    Value::Str { text, plain }
                };
                b.finish(
                    Node {
                        line,
                        value,
                        size: weight,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if tag.is_some() {
                    return Err(err(
                        line,
                        "YAML tags are not supported in a compose file for liftoff",
                    ));
                }
                if b.stack.len() >= MAX_DEPTH {
                    return Err(err(
                        line,
                        format!("nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                b.count(1, line)?;
                b.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        line,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        line,
                        anchor,
                        entries: Vec::new(),
                        merged: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                        merged_keys: HashSet::new(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match b.stack.pop() {
                    Some(Frame::Seq {
                        line,
                        anchor,
                        items,
                    }) => (collection(line, Value::Seq(items)), anchor),
                    Some(Frame::Map {
                        line,
                        anchor,
                        mut entries,
                        merged,
                        seen,
                        ..
                    }) => {
                        // Merged entries fill in what the mapping itself does not say, the first
                        // merge source winning over later ones (YAML 1.1's merge key).
                        for (k, v) in merged {
                            if !k.text().is_some_and(|t| seen.contains_key(t)) {
                                entries.push((k, v));
                            }
                        }
                        (collection(line, Value::Map(entries)), anchor)
                    }
                    None => return Err(err(line, "unbalanced YAML")),
                };
                b.finish(node, anchor)?;
            }
        }
    }
    Ok(b.root.unwrap_or(Node {
        line: 1,
        value: Value::Null,
        size: 1,
    }))
}

/// A finished collection with its size (its children's sizes were counted as they came).
fn collection(line: usize, value: Value) -> Node {
    let size = 1 + match &value {
        Value::Seq(items) => items.iter().map(|n| n.size).sum::<usize>(),
        Value::Map(entries) => entries.iter().map(|(k, v)| k.size + v.size).sum(),
        _ => 0,
    };
    Node { line, value, size }
}

impl Builder {
    fn count(&mut self, n: usize, line: usize) -> Result<(), YamlError> {
        self.total = self.total.saturating_add(n);
        if self.total > MAX_NODES {
            return Err(err(
                line,
                format!(
                    "more than {MAX_NODES} YAML nodes once aliases are expanded (an alias bomb?); a compose file needs far fewer"
                ),
            ));
        }
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the document), remembering its anchor.
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let mut duplicate = None;
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merged,
                seen,
                merged_keys,
                key,
                ..
            }) => match key.take() {
                None => {
                    if node.text().is_none() {
                        return Err(err(
                            node.line,
                            "a mapping key must be a string (not null, a list or a mapping)",
                        ));
                    }
                    *key = Some(node);
                }
                Some(k) => {
                    let is_merge =
                        matches!(&k.value, Value::Str { text, plain: true } if text == "<<");
                    if is_merge {
                        merge_into(merged, merged_keys, k.line, node)?;
                    } else if let Some(first) = seen.get(k.text().unwrap_or_default()) {
                        duplicate = Some((k.line, *first));
                        // Put the key back so that the path names the whole way to it.
                        *key = Some(k);
                    } else {
                        seen.insert(k.text().unwrap_or_default().to_string(), k.line);
                        entries.push((k, node));
                    }
                }
            },
        }
        if let Some((line, first)) = duplicate {
            return Err(err(
                line,
                format!(
                    "{}: duplicate key (first at line {first})",
                    path_of(&self.stack).unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }
}

/// The dotted path of the node being built (`services.web.ports[1]`), for messages.
fn path_of(stack: &[Frame]) -> Option<String> {
    let mut out = String::new();
    for f in stack {
        match f {
            Frame::Seq { items, .. } => out.push_str(&format!("[{}]", items.len())),
            Frame::Map { key: Some(k), .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k.text().unwrap_or_default());
            }
            Frame::Map { key: None, .. } => {}
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `<<: MAP` or `<<: [MAP, ...]`: adds the entries the mapping does not have yet.
fn merge_into(
    merged: &mut Vec<(Node, Node)>,
    keys: &mut HashSet<String>,
    line: usize,
    value: Node,
) -> Result<(), YamlError> {
    let sources = match value.value {
        Value::Map(_) => vec![value],
        Value::Seq(items) => items,
        _ => {
            return Err(err(
                line,
                "<<: a merge key takes a mapping or a list of mappings (<<: *anchor)",
            ))
        }
    };
    for s in sources {
        let Value::Map(entries) = s.value else {
            return Err(err(
                s.line,
                "<<: a merge key takes a mapping or a list of mappings (<<: *anchor)",
            ));
        };
        for (k, v) in entries {
            if keys.insert(k.text().unwrap_or_default().to_string()) {
                merged.push((k, v));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(n: &Node) -> Vec<(&str, &Node)> {
        match &n.value {
            Value::Map(e) => e.iter().map(|(k, v)| (k.text().unwrap(), v)).collect(),
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn lines_nulls_and_strings() {
        let n = parse("a: 1\nb:\nc: 'x'\nd: [x, ~]\n").unwrap();
        let m = map(&n);
        assert_eq!(m[0].1.line, 1);
        assert_eq!(m[0].1.text(), Some("1"));
        assert_eq!(m[1].1.value, Value::Null);
        assert_eq!(m[2].1.line, 3);
        assert!(matches!(&m[2].1.value, Value::Str { plain: false, .. }));
        let Value::Seq(items) = &m[3].1.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Null);
        assert_eq!(parse("").unwrap().value, Value::Null);
    }

    #[test]
    fn merge_keys_fill_in_and_lose_to_explicit_keys() {
        let n = parse("x: &b\n  p: 1\n  q: 2\ny:\n  <<: *b\n  q: 3\n").unwrap();
        let y = map(map(&n)[1].1);
        assert_eq!(y.len(), 2);
        assert_eq!(y[0], ("q", y[0].1));
        assert_eq!(y[0].1.text(), Some("3"));
        assert_eq!(y[1].1.text(), Some("1"));
        let n = parse("a: &a {k: 1}\nb: &b {k: 2, l: 2}\nc:\n  <<: [*a, *b]\n").unwrap();
        let c = map(map(&n)[2].1);
        assert_eq!(c[0].1.text(), Some("1"));
        assert_eq!(c[1].1.text(), Some("2"));
        assert!(parse("a:\n  <<: 3\n")
            .unwrap_err()
            .msg
            .contains("merge key"));
    }

    #[test]
    fn hostile_input_is_refused() {
        let e = parse("a: 1\nb:\n  c: 2\n  c: 3\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(
            e.msg.contains("b.c: duplicate key (first at line 3)"),
            "{}",
            e.msg
        );
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let (p, n) = ((b'a' + i) as char, (b'a' + i + 1) as char);
            bomb.push_str(&format!(
                "{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            ));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.msg.contains("alias bomb"), "{}", e.msg);
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).unwrap_err().msg.contains("nested"));
        assert!(parse("a: !!str 1\n").unwrap_err().msg.contains("tag"));
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("a: [1\n").is_err());
        assert!(parse("? [a]\n: 1\n").is_err());
    }
}
