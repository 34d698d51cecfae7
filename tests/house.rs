//! House rules that the code itself can check (issue 16's "done when"), run with the unit tests:
//! no function body over 150 lines in the workspace's crates, and no `Result<_, String>` outside
//! tests in stage1, its contract crate and stage2 (errors there are typed enums that carry the
//! object and the errno). Files are parsed with `syn`, so strings and comments never count.

use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// The longest a function may be, in lines from its signature to its closing brace.
const MAX_FN_LINES: usize = 150;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Source dirs of the crates these rules cover.
fn crate_sources() -> Vec<PathBuf> {
    let root = workspace();
    [
        "stage0/src",
        "stage1/src",
        "stage1/contract/src",
        "stage2/src",
        "common/src",
    ]
    .iter()
    .map(|d| root.join(d))
    .filter(|d| d.is_dir())
    .collect()
}

#[derive(Default)]
struct Finder {
    file: PathBuf,
    in_test: usize,
    long: Vec<String>,
    string_errors: Vec<String>,
}

fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg")
                && a.meta
                    .require_list()
                    .is_ok_and(|l| l.tokens.to_string() == "test"))
    })
}

/// `Result<T, String>` (or `Result<T, std::string::String>`).
fn returns_string_error(out: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = out else {
        return false;
    };
    let syn::Type::Path(p) = &**ty else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    if last.ident != "Result" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    matches!(args.args.iter().nth(1), Some(syn::GenericArgument::Type(syn::Type::Path(e)))
        if e.path.segments.last().is_some_and(|s| s.ident == "String"))
}

impl Finder {
    fn check(&mut self, sig: &syn::Signature, span: proc_macro2::Span) {
        let lines = span.end().line - span.start().line + 1;
        let at = format!(
            "{}:{} {}",
            self.file.display(),
            span.start().line,
            sig.ident
        );
        if lines > MAX_FN_LINES {
            self.long.push(format!("{at} ({lines} lines)"));
        }
        if self.in_test == 0 && returns_string_error(&sig.output) {
            self.string_errors.push(at);
        }
    }
}

impl<'a> Visit<'a> for Finder {
    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        let test = is_test_attr(&m.attrs);
        self.in_test += usize::from(test);
        syn::visit::visit_item_mod(self, m);
        self.in_test -= usize::from(test);
    }
    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        let test = is_test_attr(&f.attrs);
        self.in_test += usize::from(test);
        self.check(&f.sig, syn::spanned::Spanned::span(f));
        syn::visit::visit_item_fn(self, f);
        self.in_test -= usize::from(test);
    }
    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        self.check(&f.sig, syn::spanned::Spanned::span(f));
        syn::visit::visit_impl_item_fn(self, f);
    }
    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        self.check(&f.sig, syn::spanned::Spanned::span(f));
        syn::visit::visit_trait_item_fn(self, f);
    }
}

fn scan() -> Finder {
    let mut files = Vec::new();
    for d in crate_sources() {
        rust_files(&d, &mut files);
    }
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut all = Finder::default();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let mut v = Finder {
            file: f.strip_prefix(workspace()).unwrap_or(&f).to_path_buf(),
            ..Finder::default()
        };
        v.visit_file(&ast);
        all.long.extend(v.long);
        if ["stage1/", "stage2/"]
            .iter()
            .any(|p| v.file.starts_with(format!("../{p}")) || v.file.starts_with(p))
        {
            all.string_errors.extend(v.string_errors);
        }
    }
    all
}

#[test]
fn no_function_is_longer_than_150_lines() {
    let f = scan();
    assert!(
        f.long.is_empty(),
        "split these functions:\n{}",
        f.long.join("\n")
    );
}

#[test]
fn stage1_and_stage2_errors_are_typed() {
    let f = scan();
    assert!(
        f.string_errors.is_empty(),
        "these return Result<_, String>; give their module an error enum:\n{}",
        f.string_errors.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_look_for() {
    let src = "fn a() -> Result<(), String> { Ok(()) }\n#[cfg(test)] mod t { fn b() -> Result<u8, String> { Ok(1) } }\n";
    let mut v = Finder::default();
    v.visit_file(&syn::parse_file(src).unwrap());
    assert_eq!(v.string_errors.len(), 1, "{:?}", v.string_errors);
    let long = format!(
        "fn big() {{\n{}}}\n",
        "    let _x = 1;\n".repeat(MAX_FN_LINES)
    );
    let mut v = Finder::default();
    v.visit_file(&syn::parse_file(&long).unwrap());
    assert_eq!(v.long.len(), 1);
}
