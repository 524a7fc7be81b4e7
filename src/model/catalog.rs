//! The built-in catalog of types that `matrix` measures.
//!
//! `seed` is the public study's 40 rows, in its order and with its row names;
//! `default` adds the shapes the study left out (pointers, slices, maps, arrays,
//! large structs, named types) so every conversion routine shows up.

use anyhow::Result;

use crate::cli::error::UsageError;
use crate::model::gotype::{self, Defs, Type};

/// One row of the matrix: a display name, the type measured and, for
/// `explain`, the exact value to store (else each scenario picks its own).
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub ty: Type,
    pub value: Option<crate::model::value::Value>,
}

impl Row {
    /// A row for a user's type expression, named by its canonical syntax.
    pub fn custom(ty: Type) -> Row {
        Row {
            name: ty.go_syntax(),
            ty,
            value: None,
        }
    }
}

/// Which built-in list of rows to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CatalogName {
    /// The public study's 40 rows.
    Seed,
    /// The seed's rows plus pointers, slices, maps, arrays, big structs and named types.
    Default,
    /// No built-in rows (only the --type rows).
    None,
}

const SCALARS: &[&str] = &[
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "byte",
    "bool",
    "rune",
    "string",
];

const SEED_STRUCTS: &[(&str, &str)] = &[
    ("struct_int32_int32", "struct{ a, b int32 }"),
    ("struct_int32_int64", "struct{ a int32; b int64 }"),
    ("struct_array_bytes_7", "struct{ a [7]byte }"),
    ("struct_byte_7", "struct{ a, b, c, d, e, f, g byte }"),
];

const MORE: &[(&str, &str)] = &[
    ("uintptr", "uintptr"),
    ("unsafe_pointer", "unsafe.Pointer"),
    ("ptr_int", "*int"),
    ("slice_byte", "[]byte"),
    ("slice_int", "[]int"),
    ("map_string_int", "map[string]int"),
    ("chan_int", "chan int"),
    ("func", "func()"),
    ("array_0_int", "[0]int"),
    ("array_1_int64", "[1]int64"),
    ("array_8_byte", "[8]byte"),
    ("array_100_byte", "[100]byte"),
    ("array_2000_byte", "[2000]byte"),
    ("struct_empty", "struct{}"),
    ("struct_int64_ptr", "struct{ a int64; p *int }"),
    ("struct_48_bytes", "struct{ a, b, c, d, e, f int64 }"),
    ("struct_1025_bytes", "struct{ a [1025]byte }"),
    ("named_int64", "MyInt64"),
    ("named_string", "MyString"),
];

/// The named types the catalog defines (`type MyInt64 int64` ...).
pub fn builtin_defs() -> Defs {
    let mut defs = Defs::new();
    defs.insert("MyInt64".into(), Type::Basic(gotype::Basic::Int64));
    defs.insert("MyString".into(), Type::Basic(gotype::Basic::String));
    defs
}

fn row(name: &str, expr: &str, defs: &Defs) -> Row {
    // The catalog's own expressions are fixed and covered by a unit test.
    let ty = gotype::parse(expr, defs).expect("catalog type parses");
    Row {
        name: name.to_string(),
        ty,
        value: None,
    }
}

/// The rows of a built-in catalog, in display order.
pub fn rows(which: CatalogName) -> Vec<Row> {
    if which == CatalogName::None {
        return Vec::new();
    }
    let defs = builtin_defs();
    let mut out: Vec<Row> = SCALARS.iter().map(|s| row(s, s, &defs)).collect();
    out.extend(
        SCALARS
            .iter()
            .map(|s| row(&format!("struct_{s}"), &format!("struct{{ a {s} }}"), &defs)),
    );
    out.extend(SEED_STRUCTS.iter().map(|(n, e)| row(n, e, &defs)));
    if which == CatalogName::Default {
        out.extend(MORE.iter().map(|(n, e)| row(n, e, &defs)));
    }
    out
}

/// Keeps the rows named in `names`, in the order given; an unknown name is an error.
pub fn select(all: Vec<Row>, names: &[String]) -> Result<Vec<Row>> {
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        match all.iter().find(|r| &r.name == n) {
            Some(r) => out.push(r.clone()),
            None => {
                return Err(UsageError::new(format!(
                    "--types: no catalog row named {n:?}; run `ifacealloc matrix --list` to see the names"
                ))
                .into())
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_forty_rows_in_order() {
        let seed = rows(CatalogName::Seed);
        assert_eq!(seed.len(), 40);
        assert_eq!(seed[0].name, "int");
        assert_eq!(seed[17].name, "string");
        assert_eq!(seed[18].name, "struct_int");
        assert_eq!(seed[39].name, "struct_byte_7");
        assert_eq!(rows(CatalogName::Default).len(), 59);
    }
}
