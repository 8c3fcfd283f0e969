//! Signed transactions: decoding (EIP-2718 envelopes), sender recovery, signing for the
//! unlocked dev accounts, and conversion to the devnet's [`TxRequest`].

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{
    SignableTransaction, Transaction as _, TxEip1559, TxEip2930, TxEnvelope, TxLegacy,
};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Signature, TxKind, B256};
use k256::ecdsa::SigningKey;

use crate::TxRequest;

/// A decoded, signature-checked transaction.
#[derive(Clone, Debug)]
pub(crate) struct SignedTx {
    /// The envelope as received.
    pub envelope: TxEnvelope,
    /// Recovered sender.
    pub from: Address,
}

impl SignedTx {
    /// Transaction hash.
    pub fn hash(&self) -> B256 {
        *self.envelope.tx_hash()
    }

    /// What the devnet executes.
    pub fn request(&self) -> TxRequest {
        let env = &self.envelope;
        let access_list = env
            .access_list()
            .map(|list| {
                list.iter()
                    .map(|item| (item.address, item.storage_keys.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let (gas_price, priority) = match env {
            TxEnvelope::Eip1559(tx) => (
                tx.tx().max_fee_per_gas,
                Some(tx.tx().max_priority_fee_per_gas),
            ),
            _ => (env.max_fee_per_gas(), None),
        };
        TxRequest {
            from: self.from,
            to: env.to(),
            input: env.input().clone(),
            value: env.value(),
            gas_limit: Some(env.gas_limit()),
            gas_price: Some(gas_price),
            nonce: Some(env.nonce()),
            max_priority_fee_per_gas: priority,
            access_list,
        }
    }

    /// Price per gas actually paid at `base_fee`.
    pub fn effective_gas_price(&self, base_fee: u64) -> u128 {
        self.envelope.effective_gas_price(Some(base_fee))
    }
}

/// Why a raw transaction was rejected before reaching the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Not a valid RLP / EIP-2718 encoding.
    Malformed(String),
    /// A type the devnet does not accept (blob, set-code).
    Unsupported(u8),
    /// The signature does not recover to an address.
    BadSignature,
    /// Signed for another chain.
    WrongChain { expected: u64, got: u64 },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "failed to decode signed transaction: {e}"),
            Self::Unsupported(ty) => write!(
                f,
                "transaction type not supported: {ty} (the devnet accepts legacy, EIP-2930 and EIP-1559)"
            ),
            Self::BadSignature => write!(f, "invalid sender: invalid transaction signature"),
            Self::WrongChain { expected, got } => write!(
                f,
                "invalid chain id for signer: have {got} want {expected}"
            ),
        }
    }
}

/// Decodes and checks a raw signed transaction for chain `chain_id`. Legacy transactions
/// without an EIP-155 chain id are accepted (as anvil does).
pub(crate) fn decode_raw(raw: &[u8], chain_id: u64) -> Result<SignedTx, DecodeError> {
    let mut buf = raw;
    let envelope =
        TxEnvelope::decode_2718(&mut buf).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if !buf.is_empty() {
        return Err(DecodeError::Malformed(format!(
            "{} trailing bytes",
            buf.len()
        )));
    }
    match &envelope {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => {}
        other => return Err(DecodeError::Unsupported(other.tx_type() as u8)),
    }
    if let Some(got) = envelope.chain_id() {
        if got != chain_id {
            return Err(DecodeError::WrongChain {
                expected: chain_id,
                got,
            });
        }
    }
    let from = envelope
        .recover_signer()
        .map_err(|_| DecodeError::BadSignature)?;
    Ok(SignedTx { envelope, from })
}

/// The address controlled by private key `key`, if it is a valid key.
pub(crate) fn address_of_key(key: &B256) -> Option<Address> {
    let key = SigningKey::from_slice(key.as_slice()).ok()?;
    Some(Address::from_public_key(key.verifying_key()))
}

/// Signs `tx` with `key`.
pub(crate) fn sign<T: SignableTransaction<Signature>>(
    tx: T,
    key: &B256,
) -> Option<alloy_consensus::Signed<T>> {
    let signer = SigningKey::from_slice(key.as_slice()).ok()?;
    let hash = tx.signature_hash();
    let (sig, recid) = signer.sign_prehash_recoverable(hash.as_slice()).ok()?;
    let signature = Signature::from_signature_and_parity(sig, recid.is_y_odd());
    Some(tx.into_signed(signature))
}

/// Fields of an unsigned transaction built for `eth_sendTransaction`.
#[derive(Clone, Debug)]
pub(crate) struct Unsigned {
    pub chain_id: u64,
    pub nonce: u64,
    pub gas_limit: u64,
    pub to: TxKind,
    pub value: alloy_primitives::U256,
    pub input: alloy_primitives::Bytes,
    /// `Some(price)`: legacy (or EIP-2930 with an access list); `None`: EIP-1559.
    pub gas_price: Option<u128>,
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
    pub access_list: Option<alloy_eips::eip2930::AccessList>,
}

/// Signs `unsigned` with `key` into an envelope.
pub(crate) fn sign_unsigned(unsigned: Unsigned, key: &B256) -> Option<TxEnvelope> {
    let u = unsigned;
    Some(match (u.gas_price, u.access_list) {
        (Some(gas_price), None) => TxEnvelope::Legacy(sign(
            TxLegacy {
                chain_id: Some(u.chain_id),
                nonce: u.nonce,
                gas_price,
                gas_limit: u.gas_limit,
                to: u.to,
                value: u.value,
                input: u.input,
            },
            key,
        )?),
        (Some(gas_price), Some(access_list)) => TxEnvelope::Eip2930(sign(
            TxEip2930 {
                chain_id: u.chain_id,
                nonce: u.nonce,
                gas_price,
                gas_limit: u.gas_limit,
                to: u.to,
                value: u.value,
                access_list,
                input: u.input,
            },
            key,
        )?),
        (None, access_list) => TxEnvelope::Eip1559(sign(
            TxEip1559 {
                chain_id: u.chain_id,
                nonce: u.nonce,
                gas_limit: u.gas_limit,
                max_fee_per_gas: u.max_fee_per_gas,
                max_priority_fee_per_gas: u.max_priority_fee_per_gas,
                to: u.to,
                value: u.value,
                access_list: access_list.unwrap_or_default(),
                input: u.input,
            },
            key,
        )?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_eips::eip2718::Encodable2718;
    use alloy_primitives::{Bytes, U256};

    fn unsigned(gas_price: Option<u128>) -> Unsigned {
        Unsigned {
            chain_id: 412_346,
            nonce: 3,
            gas_limit: 50_000,
            to: TxKind::Call(Address::repeat_byte(7)),
            value: U256::from(5),
            input: Bytes::from_static(&[1, 2]),
            gas_price,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1,
            access_list: None,
        }
    }

    #[test]
    fn signed_transactions_round_trip() {
        for price in [None, Some(1_000_000_000)] {
            let envelope = sign_unsigned(unsigned(price), &crate::DEV_PRIVATE_KEY).unwrap();
            let raw = envelope.encoded_2718();
            let tx = decode_raw(&raw, 412_346).unwrap();
            assert_eq!(tx.from, crate::DEV_ACCOUNT);
            assert_eq!(tx.hash(), *envelope.tx_hash());
            let req = tx.request();
            assert_eq!(req.nonce, Some(3));
            assert_eq!(req.value, U256::from(5));
            assert_eq!(req.max_priority_fee_per_gas.is_some(), price.is_none());
            assert_eq!(
                decode_raw(&raw, 1).unwrap_err(),
                DecodeError::WrongChain {
                    expected: 1,
                    got: 412_346
                }
            );
            let mut trailing = raw.clone();
            trailing.push(0);
            assert!(matches!(
                decode_raw(&trailing, 412_346),
                Err(DecodeError::Malformed(_))
            ));
            // A corrupted signature recovers another address or none at all.
            let mut bad = raw.clone();
            let last = bad.len() - 2;
            bad[last] ^= 0xff;
            match decode_raw(&bad, 412_346) {
                Ok(tx) => assert_ne!(tx.from, crate::DEV_ACCOUNT),
                Err(e) => assert!(matches!(
                    e,
                    DecodeError::BadSignature | DecodeError::Malformed(_)
                )),
            }
        }
    }
}
