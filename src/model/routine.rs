//! The paths the Go compiler can take to build an interface's data word
//! (`cmd/compile/internal/walk/convert.go`, `dataWord` and `dataWordFuncName`).

use std::fmt;

use serde::{Serialize, Serializer};

/// How an interface conversion obtains its data word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Routine {
    /// Pointer-shaped value: it is its own data word.
    Direct,
    /// Zero-sized value: `&runtime.zerobase`.
    Zerobase,
    /// bool or single-byte integer: `&runtime.staticuint64s[v]`.
    Staticuint64s,
    /// A zero value the compiler already had in `runtime.zeroVal`.
    ZeroVal,
    /// Read-only static data (constants, constant composite literals).
    Readonly,
    /// The interface does not escape: a stack temporary.
    Stack,
    ConvT16,
    ConvT32,
    ConvT64,
    ConvTstring,
    ConvTslice,
    ConvTnoptr,
    ConvT,
}

impl Routine {
    pub const ALL: &'static [Routine] = &[
        Routine::Direct,
        Routine::Zerobase,
        Routine::Staticuint64s,
        Routine::ZeroVal,
        Routine::Readonly,
        Routine::Stack,
        Routine::ConvT16,
        Routine::ConvT32,
        Routine::ConvT64,
        Routine::ConvTstring,
        Routine::ConvTslice,
        Routine::ConvTnoptr,
        Routine::ConvT,
    ];

    /// When a routine that may allocate does not: `unless the value's bits
    /// are < 256`, `unless the string is ""`, `unless the slice is nil`.
    pub fn unless(self) -> Option<&'static str> {
        match self {
            Routine::ConvT16 | Routine::ConvT32 | Routine::ConvT64 => {
                Some("unless the value's bits are < 256")
            }
            Routine::ConvTstring => Some("unless the string is \"\""),
            Routine::ConvTslice => Some("unless the slice is nil"),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Routine::Direct => "direct",
            Routine::Zerobase => "zerobase",
            Routine::Staticuint64s => "staticuint64s",
            Routine::ZeroVal => "zeroVal",
            Routine::Readonly => "readonly",
            Routine::Stack => "stack",
            Routine::ConvT16 => "convT16",
            Routine::ConvT32 => "convT32",
            Routine::ConvT64 => "convT64",
            Routine::ConvTstring => "convTstring",
            Routine::ConvTslice => "convTslice",
            Routine::ConvTnoptr => "convTnoptr",
            Routine::ConvT => "convT",
        }
    }

    /// The runtime function called, for the runtime-call routines.
    pub fn runtime_func(self) -> Option<&'static str> {
        match self {
            Routine::ConvT16
            | Routine::ConvT32
            | Routine::ConvT64
            | Routine::ConvTstring
            | Routine::ConvTslice
            | Routine::ConvTnoptr
            | Routine::ConvT => Some(self.name()),
            _ => None,
        }
    }

    /// The runtime symbol a routine refers to: its function or its global.
    pub fn runtime_symbol(self) -> Option<&'static str> {
        match self {
            Routine::Zerobase => Some("zerobase"),
            Routine::Staticuint64s => Some("staticuint64s"),
            Routine::ZeroVal => Some("zeroVal"),
            _ => self.runtime_func(),
        }
    }

    /// Whether this path can allocate at all.
    pub fn may_allocate(self) -> bool {
        self.runtime_func().is_some()
    }

    /// Whether this path allocates for every value (convT, convTnoptr).
    pub fn always_allocates(self) -> bool {
        matches!(self, Routine::ConvT | Routine::ConvTnoptr)
    }
}

impl fmt::Display for Routine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Routine {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Read back by its name, as serialized (matrix's recorded classifications).
impl<'de> serde::Deserialize<'de> for Routine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Routine::ALL
            .iter()
            .copied()
            .find(|r| r.name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("no routine named {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What matrix records is read back as it was; a name it never wrote is
    /// an error, not some routine.
    #[test]
    fn routines_read_back_by_name() {
        for &r in Routine::ALL {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<Routine>(&json).unwrap(), r, "{json}");
        }
        assert!(serde_json::from_str::<Routine>("\"convT128\"").is_err());
    }
}
