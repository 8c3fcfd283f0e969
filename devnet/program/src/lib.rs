//! Stylus program post-processing, shared by the devnet and the contract build tool.
//!
//! A deployed Stylus program is `0xEF 0xF0 0x00 <dictionary> || brotli(wasm)`. This crate
//! turns a compiled contract into that form and checks it the way nitro does at activation:
//!
//! - [`strip`] drops custom sections (`name`, `producers`, `target_features`, ...), which
//!   deployment never needs;
//! - [`compress`] brotli-compresses (quality 11, window 22, as `cargo stylus` and nitro's
//!   `arbcompress` do) and prepends [`STYLUS_PREFIX`];
//! - [`decompress`] is the inverse, bounded by [`MAX_WASM_SIZE`];
//! - [`validate`] applies nitro's activation rules (see [`ValidationError`] for each one)
//!   and reports what activation needs to know ([`ProgramInfo`]: memory footprint, init costs);
//! - [`validate_code`] does the whole activation check on deployed code bytes.
//!
//! The rules follow nitro's `arbitrator/prover/src/binary.rs` (`parse` and `parse_user`) and
//! the hostio linker in `arbitrator/stylus/src/native.rs`.

mod codec;
mod hostio;
mod validate;

pub use codec::{compress, decompress, strip};
pub use hostio::{hostio_signature, HostioSignature, WasmType, HOSTIOS};
pub use validate::{validate, validate_code, validate_with, ProgramInfo, ValidationError};

/// The 4-byte prefix of deployed Stylus code: the EOF-inspired `0xEFF000` discriminant plus the
/// brotli dictionary byte `0x00` (no dictionary).
pub const STYLUS_PREFIX: [u8; 4] = [0xEF, 0xF0, 0x00, 0x00];

/// The 3-byte discriminant shared by every Stylus code prefix, whatever the dictionary byte.
pub const STYLUS_DISCRIMINANT: [u8; 3] = [0xEF, 0xF0, 0x00];

/// Maximum size of deployed contract code in bytes (EIP-170, also Arbitrum's default).
pub const MAX_CODE_SIZE: usize = 24_576;

/// Maximum size of a decompressed Stylus WASM in bytes (nitro's `MaxWasmSize`, 128 KiB).
pub const MAX_WASM_SIZE: usize = 128 * 1024;

/// Default limit on a program's initial memory, in 64 KiB WASM pages (ArbOS `pageLimit`).
pub const DEFAULT_PAGE_LIMIT: u16 = 128;

/// Size of one WASM memory page in bytes.
pub const PAGE_SIZE: u64 = 65_536;

/// The export every Stylus program must provide: `user_entrypoint(args_len: i32) -> i32`.
pub const ENTRYPOINT: &str = "user_entrypoint";

/// The exported memory every Stylus program must provide.
pub const MEMORY_EXPORT: &str = "memory";

/// Returns `true` when `code` starts with the Stylus discriminant `0xEFF000`.
pub fn is_stylus_code(code: &[u8]) -> bool {
    code.starts_with(&STYLUS_DISCRIMINANT) && code.len() >= STYLUS_PREFIX.len()
}
