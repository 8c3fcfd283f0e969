//! Program caching: the devnet's API over nitro's `ArbWasmCache` precompile (`0x72`).
//!
//! On nitro, programs in the chain's cache (bid for through the CacheManager contract, or
//! placed by a cache manager / the chain owner through `ArbWasmCache.cacheProgram`) pay the
//! cheaper cached entry cost (`minCachedInitGas`, `cachedCostScalar`) instead of the full init
//! cost. The devnet's chain owner is [`DEV_ACCOUNT`], so these helpers send the precompile
//! calls from it; the same calls work over JSON-RPC.

use alloy_primitives::{Address, B256};
use alloy_sol_types::SolCall;

use crate::chain::{Devnet, DEV_ACCOUNT};
use crate::precompiles::{ArbWasmCache, ARB_WASM_CACHE_ADDRESS};
use crate::receipt::{Receipt, Revert, TxRequest};

impl Devnet {
    /// Puts the program at `program` in the cache (`ArbWasmCache.cacheProgram`, sent by the
    /// chain owner): from the next call on it pays nitro's cached init cost. Caching a cached
    /// program changes nothing.
    ///
    /// # Errors
    ///
    /// The revert: `ProgramNeedsUpgrade` if `program` is not an activated program,
    /// `ProgramExpired` if its activation expired.
    pub fn cache_program(&mut self, program: Address) -> Result<Receipt, Revert> {
        self.send_cache_call(ArbWasmCache::cacheProgramCall { addr: program }.abi_encode())
    }

    /// Removes the programs with `codehash` from the cache (`ArbWasmCache.evictCodehash`).
    ///
    /// # Errors
    ///
    /// The revert, if the transaction fails.
    pub fn evict_codehash(&mut self, codehash: B256) -> Result<Receipt, Revert> {
        self.send_cache_call(ArbWasmCache::evictCodehashCall { codehash }.abi_encode())
    }

    /// Whether the program with `codehash` is cached (`ArbWasmCache.codehashIsCached`).
    pub fn codehash_is_cached(&mut self, codehash: B256) -> bool {
        self.view(
            DEV_ACCOUNT,
            ARB_WASM_CACHE_ADDRESS,
            &ArbWasmCache::codehashIsCachedCall { codehash },
        )
        .unwrap_or(false)
    }

    fn send_cache_call(&mut self, input: Vec<u8>) -> Result<Receipt, Revert> {
        let receipt = self
            .transact(TxRequest::call(DEV_ACCOUNT, ARB_WASM_CACHE_ADDRESS, input))
            .map_err(|e| Revert::halted(e.to_string()))?;
        match receipt.revert() {
            Some(revert) => Err(revert),
            None => Ok(receipt),
        }
    }
}
