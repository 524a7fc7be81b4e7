//! Scenarios: the ways a value reaches `var sink any`, and which types each applies to.

use std::fmt;

use serde::Serialize;

use crate::model::gotype::{Basic, Type};

/// How the stored value reaches the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Scenario {
    /// The zero value, loaded from a package variable.
    #[serde(rename = "zero")]
    Zero,
    /// A non-zero value chosen at run time; wider-than-a-byte integers have bits ≥ 256.
    #[serde(rename = "nonzero")]
    Nonzero,
    /// An integer from 1 to 255 (127 for int8), chosen at run time.
    #[serde(rename = "small")]
    Small,
    /// The integer 256, loaded at run time (integers of 16 bits or more).
    #[serde(rename = "256")]
    V256,
    /// A constant expression stored directly.
    #[serde(rename = "const")]
    Const,
    /// A zero composite literal `T{}` stored directly.
    #[serde(rename = "zerolit")]
    ZeroLit,
    /// A non-zero value stored into a local interface that does not escape.
    #[serde(rename = "local")]
    Local,
    /// Baseline: the non-zero value assigned to a variable of its own type.
    #[serde(rename = "copy")]
    Copy,
    /// Baseline: the zero value assigned to a variable of its own type (the seed's
    /// "bytes to store zero value" column).
    #[serde(rename = "copyzero")]
    CopyZero,
    /// `explain --source literal`: the row's value as a composite literal.
    #[serde(rename = "literal")]
    Literal,
}

impl Scenario {
    /// Every scenario, in column order.
    pub const ALL: &'static [Scenario] = &[
        Scenario::Zero,
        Scenario::Nonzero,
        Scenario::Small,
        Scenario::V256,
        Scenario::Const,
        Scenario::ZeroLit,
        Scenario::Local,
        Scenario::Copy,
        Scenario::CopyZero,
    ];

    /// The scenarios shown as columns of the default table.
    pub const COLUMNS: &'static [Scenario] = &[
        Scenario::Zero,
        Scenario::Nonzero,
        Scenario::Small,
        Scenario::V256,
        Scenario::Const,
        Scenario::ZeroLit,
        Scenario::Local,
        Scenario::Copy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Zero => "zero",
            Scenario::Nonzero => "nonzero",
            Scenario::Small => "small",
            Scenario::V256 => "256",
            Scenario::Const => "const",
            Scenario::ZeroLit => "zerolit",
            Scenario::Local => "local",
            Scenario::Copy => "copy",
            Scenario::CopyZero => "copyzero",
            Scenario::Literal => "literal",
        }
    }

    pub fn from_name(s: &str) -> Option<Scenario> {
        Scenario::ALL.iter().copied().find(|x| x.name() == s)
    }

    /// Whether this scenario makes sense for `ty`.
    pub fn applies_to(self, ty: &Type) -> bool {
        let int_component = ty
            .sole_component()
            .and_then(Type::basic)
            .filter(|b| b.is_integer());
        match self {
            Scenario::Zero
            | Scenario::Nonzero
            | Scenario::Local
            | Scenario::Copy
            | Scenario::CopyZero => true,
            Scenario::Small => int_component.is_some(),
            Scenario::V256 => {
                int_component.is_some_and(|b| !matches!(b, Basic::Int8 | Basic::Uint8))
            }
            Scenario::Const => ty.basic().is_some_and(|b| b != Basic::UnsafePointer),
            Scenario::ZeroLit | Scenario::Literal => {
                matches!(ty.underlying(), Type::Struct(_) | Type::Array(..))
            }
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
