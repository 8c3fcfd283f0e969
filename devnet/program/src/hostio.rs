//! The host functions a Stylus program may import, with their WASM signatures.
//!
//! The list is nitro's linker (`arbitrator/stylus/src/native.rs`): every `vm_hooks` import,
//! plus the integer `console` debug imports. The floating-point `console` imports (`log_f32`,
//! `tee_f64`, ...) exist in nitro's debug mode only and are rejected here with the other floats.

/// A WASM value type as it appears in a hostio signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmType {
    /// 32-bit integer (pointers, lengths, `bool`, `u8`, `u16`, `u32`).
    I32,
    /// 64-bit integer (`u64` gas, block numbers, ...).
    I64,
}

/// Signature of one importable host function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostioSignature {
    /// Import module: `vm_hooks` or `console`.
    pub module: &'static str,
    /// Import name.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [WasmType],
    /// Result types (empty or one).
    pub results: &'static [WasmType],
}

use WasmType::{I32, I64};

macro_rules! hostios {
    ($($module:literal $name:literal ($($p:ident),*) -> ($($r:ident),*);)*) => {
        /// Every host function a Stylus program may import.
        pub const HOSTIOS: &[HostioSignature] = &[
            $(HostioSignature { module: $module, name: $name, params: &[$($p),*], results: &[$($r),*] },)*
        ];
    };
}

hostios! {
    "vm_hooks" "read_args" (I32) -> ();
    "vm_hooks" "write_result" (I32, I32) -> ();
    "vm_hooks" "exit_early" (I32) -> ();
    "vm_hooks" "storage_load_bytes32" (I32, I32) -> ();
    "vm_hooks" "storage_cache_bytes32" (I32, I32) -> ();
    "vm_hooks" "storage_flush_cache" (I32) -> ();
    "vm_hooks" "transient_load_bytes32" (I32, I32) -> ();
    "vm_hooks" "transient_store_bytes32" (I32, I32) -> ();
    "vm_hooks" "call_contract" (I32, I32, I32, I32, I64, I32) -> (I32);
    "vm_hooks" "delegate_call_contract" (I32, I32, I32, I64, I32) -> (I32);
    "vm_hooks" "static_call_contract" (I32, I32, I32, I64, I32) -> (I32);
    "vm_hooks" "create1" (I32, I32, I32, I32, I32) -> ();
    "vm_hooks" "create2" (I32, I32, I32, I32, I32, I32) -> ();
    "vm_hooks" "read_return_data" (I32, I32, I32) -> (I32);
    "vm_hooks" "return_data_size" () -> (I32);
    "vm_hooks" "emit_log" (I32, I32, I32) -> ();
    "vm_hooks" "account_balance" (I32, I32) -> ();
    "vm_hooks" "account_code" (I32, I32, I32, I32) -> (I32);
    "vm_hooks" "account_codehash" (I32, I32) -> ();
    "vm_hooks" "account_code_size" (I32) -> (I32);
    "vm_hooks" "evm_gas_left" () -> (I64);
    "vm_hooks" "evm_ink_left" () -> (I64);
    "vm_hooks" "block_basefee" (I32) -> ();
    "vm_hooks" "chainid" () -> (I64);
    "vm_hooks" "block_coinbase" (I32) -> ();
    "vm_hooks" "block_gas_limit" () -> (I64);
    "vm_hooks" "block_number" () -> (I64);
    "vm_hooks" "block_timestamp" () -> (I64);
    "vm_hooks" "contract_address" (I32) -> ();
    "vm_hooks" "math_div" (I32, I32) -> ();
    "vm_hooks" "math_mod" (I32, I32) -> ();
    "vm_hooks" "math_pow" (I32, I32) -> ();
    "vm_hooks" "math_add_mod" (I32, I32, I32) -> ();
    "vm_hooks" "math_mul_mod" (I32, I32, I32) -> ();
    "vm_hooks" "msg_reentrant" () -> (I32);
    "vm_hooks" "msg_sender" (I32) -> ();
    "vm_hooks" "msg_value" (I32) -> ();
    "vm_hooks" "tx_gas_price" (I32) -> ();
    "vm_hooks" "tx_ink_price" () -> (I32);
    "vm_hooks" "tx_origin" (I32) -> ();
    "vm_hooks" "pay_for_memory_grow" (I32) -> ();
    "vm_hooks" "native_keccak256" (I32, I32, I32) -> ();
    "console" "log_txt" (I32, I32) -> ();
    "console" "log_i32" (I32) -> ();
    "console" "log_i64" (I64) -> ();
    "console" "tee_i32" (I32) -> (I32);
    "console" "tee_i64" (I64) -> (I64);
}

/// Looks up the signature of the host function `module::name`, if programs may import it.
pub fn hostio_signature(module: &str, name: &str) -> Option<&'static HostioSignature> {
    HOSTIOS
        .iter()
        .find(|sig| sig.module == module && sig.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup() {
        let call = hostio_signature("vm_hooks", "call_contract").expect("known");
        assert_eq!(call.params, &[I32, I32, I32, I32, I64, I32]);
        assert_eq!(call.results, &[I32]);
        assert!(hostio_signature("vm_hooks", "nope").is_none());
        assert!(hostio_signature("env", "read_args").is_none());
        assert!(hostio_signature("console", "log_f32").is_none());
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in HOSTIOS.iter().enumerate() {
            for b in &HOSTIOS[i + 1..] {
                assert!(a.module != b.module || a.name != b.name, "{}", a.name);
            }
        }
    }
}
