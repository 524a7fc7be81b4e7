//! Go's predeclared basic types, the facts about a GOARCH that layout
//! depends on, and Go's quoting of strings: the pieces that both type
//! expressions (`gotype`) and constant expressions (`constant`) stand on,
//! kept below both so neither imports the other's layer.

/// A predeclared Go type (after resolving the aliases `byte` and `rune`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basic {
    Bool,
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Uintptr,
    Float32,
    Float64,
    Complex64,
    Complex128,
    String,
    UnsafePointer,
}

impl Basic {
    /// A predeclared type by name (`byte` and `rune` as their aliases' types).
    pub fn from_name(name: &str) -> Option<Basic> {
        Some(match name {
            "bool" => Basic::Bool,
            "int" => Basic::Int,
            "int8" => Basic::Int8,
            "int16" => Basic::Int16,
            "int32" | "rune" => Basic::Int32,
            "int64" => Basic::Int64,
            "uint" => Basic::Uint,
            "uint8" | "byte" => Basic::Uint8,
            "uint16" => Basic::Uint16,
            "uint32" => Basic::Uint32,
            "uint64" => Basic::Uint64,
            "uintptr" => Basic::Uintptr,
            "float32" => Basic::Float32,
            "float64" => Basic::Float64,
            "complex64" => Basic::Complex64,
            "complex128" => Basic::Complex128,
            "string" => Basic::String,
            _ => return None,
        })
    }

    /// The Go spelling.
    pub fn name(self) -> &'static str {
        match self {
            Basic::Bool => "bool",
            Basic::Int => "int",
            Basic::Int8 => "int8",
            Basic::Int16 => "int16",
            Basic::Int32 => "int32",
            Basic::Int64 => "int64",
            Basic::Uint => "uint",
            Basic::Uint8 => "uint8",
            Basic::Uint16 => "uint16",
            Basic::Uint32 => "uint32",
            Basic::Uint64 => "uint64",
            Basic::Uintptr => "uintptr",
            Basic::Float32 => "float32",
            Basic::Float64 => "float64",
            Basic::Complex64 => "complex64",
            Basic::Complex128 => "complex128",
            Basic::String => "string",
            Basic::UnsafePointer => "unsafe.Pointer",
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Basic::Int
                | Basic::Int8
                | Basic::Int16
                | Basic::Int32
                | Basic::Int64
                | Basic::Uint
                | Basic::Uint8
                | Basic::Uint16
                | Basic::Uint32
                | Basic::Uint64
                | Basic::Uintptr
        )
    }

    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Basic::Int | Basic::Int8 | Basic::Int16 | Basic::Int32 | Basic::Int64
        )
    }
}

/// The facts about a GOARCH that layout depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arch {
    pub name: &'static str,
    pub ptr_size: u64,
    pub reg_size: u64,
    pub big_endian: bool,
}

impl Arch {
    /// Every GOARCH the Go toolchain supports.
    pub const ALL: &'static [Arch] = &[
        Arch::new("386", 4, false),
        Arch::new("amd64", 8, false),
        Arch::new("arm", 4, false),
        Arch::new("arm64", 8, false),
        Arch::new("loong64", 8, false),
        Arch::new("mips", 4, true),
        Arch::new("mipsle", 4, false),
        Arch::new("mips64", 8, true),
        Arch::new("mips64le", 8, false),
        Arch::new("ppc64", 8, true),
        Arch::new("ppc64le", 8, false),
        Arch::new("riscv64", 8, false),
        Arch::new("s390x", 8, true),
        Arch::new("wasm", 8, false),
    ];

    const fn new(name: &'static str, ptr_size: u64, big_endian: bool) -> Arch {
        Arch {
            name,
            ptr_size,
            reg_size: ptr_size,
            big_endian,
        }
    }

    /// Looks up a GOARCH by name.
    pub fn by_name(name: &str) -> Option<Arch> {
        Arch::ALL.iter().copied().find(|a| a.name == name)
    }
}

/// A Go interpreted string literal for `s`, escaping everything outside
/// printable ASCII so the output is always one safe line.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// [`go_quote`] for bytes that need not be UTF-8: valid sequences as in
/// `go_quote`, other bytes as `\xHH` (Go strings hold any bytes).
pub fn go_quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    for chunk in b.utf8_chunks() {
        let q = go_quote(chunk.valid());
        out.push_str(&q[1..q.len() - 1]);
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    format!("\"{out}\"")
}
