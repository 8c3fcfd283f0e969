//! The suite's AlAsset ERC-20 on the devnet: transfers, allowances, minters, decoded errors,
//! and EIP-2612 `permit` with real secp256k1 signatures (through the ecrecover precompile).

use al_asset::{ERC2612ExpiredSignature, ERC2612InvalidSigner, MinterCeilingExceeded, NotMinter};
use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{eip712_domain, sol, SolStruct, SolValue};
use k256::ecdsa::SigningKey;
use suite_common::{
    access::OwnableUnauthorizedAccount,
    erc20::{Approval, ERC20InsufficientAllowance, ERC20InsufficientBalance, Transfer},
};
use testkit::{ether, interfaces::IAlAsset, wasm};

sol! {
    /// EIP-2612's signed struct.
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

struct Token {
    w: testkit::World,
    token: Address,
    owner: Address,
    minter: Address,
    alice: Address,
    bob: Address,
}

fn setup() -> Token {
    let mut w = testkit::World::local();
    let owner = Address::repeat_byte(0xA0);
    let [minter, alice, bob] = [0xA1, 0xA2, 0xA3].map(Address::repeat_byte);
    let chain = w.chain();
    chain.fund(owner, ether(1_000));
    for account in [minter, alice, bob] {
        chain.fund(account, ether(10));
    }
    let args = ("Alchemix USD".to_string(), "alUSD".to_string(), owner).abi_encode_params();
    let token = chain
        .deploy_wasm(owner, &wasm("al_asset"), Some(&args))
        .expect("AlAsset deploys")
        .address;
    chain
        .send_call(
            owner,
            token,
            &IAlAsset::addMinterCall {
                minter,
                ceiling: ether(1_000),
            },
        )
        .expect("owner adds a minter");
    Token {
        w,
        token,
        owner,
        minter,
        alice,
        bob,
    }
}

fn balance(t: &mut Token, account: Address) -> U256 {
    t.w.chain()
        .view(account, t.token, &IAlAsset::balanceOfCall { account })
        .expect("balanceOf")
}

#[test]
fn metadata_and_minting() {
    let mut t = setup();
    let (token, owner, minter, alice) = (t.token, t.owner, t.minter, t.alice);
    assert_eq!(
        t.w.chain()
            .view(alice, token, &IAlAsset::nameCall {})
            .unwrap(),
        "Alchemix USD"
    );
    assert_eq!(
        t.w.chain()
            .view(alice, token, &IAlAsset::symbolCall {})
            .unwrap(),
        "alUSD"
    );
    assert_eq!(
        t.w.chain()
            .view(alice, token, &IAlAsset::decimalsCall {})
            .unwrap(),
        18
    );

    let receipt =
        t.w.chain()
            .transact(devnet::TxRequest::call(
                minter,
                token,
                alloy_sol_types::SolCall::abi_encode(&IAlAsset::mintCall {
                    to: alice,
                    amount: ether(100),
                }),
            ))
            .unwrap();
    assert!(receipt.status, "{receipt:?}");
    let transfers = receipt.events::<Transfer>();
    assert_eq!(transfers.len(), 1);
    assert_eq!(
        (transfers[0].from, transfers[0].to, transfers[0].value),
        (Address::ZERO, alice, ether(100))
    );
    assert_eq!(balance(&mut t, alice), ether(100));
    assert_eq!(
        t.w.chain()
            .view(alice, token, &IAlAsset::totalSupplyCall {})
            .unwrap(),
        ether(100)
    );

    // Only minters mint, within their ceiling; only the owner adds minters.
    let err =
        t.w.chain()
            .send_call(
                alice,
                token,
                &IAlAsset::mintCall {
                    to: alice,
                    amount: ether(1),
                },
            )
            .map(|_| ())
            .unwrap_err();
    assert_eq!(
        err.as_error::<NotMinter>(),
        Some(NotMinter { account: alice })
    );
    let err =
        t.w.chain()
            .send_call(
                minter,
                token,
                &IAlAsset::mintCall {
                    to: alice,
                    amount: ether(901),
                },
            )
            .map(|_| ())
            .unwrap_err();
    match err.as_error::<MinterCeilingExceeded>() {
        Some(e) => {
            assert_eq!(
                (e.minter, e.ceiling, e.outstanding, e.amount),
                (minter, ether(1_000), ether(100), ether(901))
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let err =
        t.w.chain()
            .send_call(
                alice,
                token,
                &IAlAsset::addMinterCall {
                    minter: alice,
                    ceiling: ether(1),
                },
            )
            .map(|_| ())
            .unwrap_err();
    assert_eq!(
        err.as_error::<OwnableUnauthorizedAccount>(),
        Some(OwnableUnauthorizedAccount { account: alice })
    );
    let _ = owner;
}

#[test]
fn transfer_approve_and_transfer_from() {
    let mut t = setup();
    let (token, minter, alice, bob) = (t.token, t.minter, t.alice, t.bob);
    t.w.chain()
        .send_call(
            minter,
            token,
            &IAlAsset::mintCall {
                to: alice,
                amount: ether(100),
            },
        )
        .unwrap();

    assert!(t
        .w
        .chain()
        .send_call(
            alice,
            token,
            &IAlAsset::transferCall {
                to: bob,
                value: ether(30)
            }
        )
        .unwrap());
    assert_eq!(balance(&mut t, alice), ether(70));
    assert_eq!(balance(&mut t, bob), ether(30));

    let err =
        t.w.chain()
            .send_call(
                alice,
                token,
                &IAlAsset::transferCall {
                    to: bob,
                    value: ether(71),
                },
            )
            .unwrap_err();
    assert_eq!(
        err.as_error::<ERC20InsufficientBalance>(),
        Some(ERC20InsufficientBalance {
            sender: alice,
            balance: ether(70),
            needed: ether(71),
        })
    );
    assert_eq!(
        balance(&mut t, alice),
        ether(70),
        "failed transfer changes nothing"
    );

    assert!(t
        .w
        .chain()
        .send_call(
            alice,
            token,
            &IAlAsset::approveCall {
                spender: bob,
                value: ether(50)
            }
        )
        .unwrap());
    assert!(t
        .w
        .chain()
        .send_call(
            bob,
            token,
            &IAlAsset::transferFromCall {
                from: alice,
                to: bob,
                value: ether(20)
            }
        )
        .unwrap());
    assert_eq!(
        t.w.chain()
            .view(
                bob,
                token,
                &IAlAsset::allowanceCall {
                    owner: alice,
                    spender: bob
                }
            )
            .unwrap(),
        ether(30)
    );
    assert_eq!(balance(&mut t, bob), ether(50));
    let err =
        t.w.chain()
            .send_call(
                bob,
                token,
                &IAlAsset::transferFromCall {
                    from: alice,
                    to: bob,
                    value: ether(31),
                },
            )
            .unwrap_err();
    assert_eq!(
        err.as_error::<ERC20InsufficientAllowance>(),
        Some(ERC20InsufficientAllowance {
            spender: bob,
            allowance: ether(30),
            needed: ether(31),
        })
    );
}

/// A secp256k1 key and its Ethereum address.
struct Signer {
    key: SigningKey,
    address: Address,
}

impl Signer {
    fn new(seed: u8) -> Self {
        let secret = keccak256([seed; 32]);
        let key = SigningKey::from_slice(secret.as_slice()).expect("valid secret");
        let point = key.verifying_key().to_encoded_point(false);
        let address = Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]);
        Self { key, address }
    }

    /// `(v, r, s)` over `digest`.
    fn sign(&self, digest: B256) -> (u8, B256, B256) {
        let (signature, recovery) = self
            .key
            .sign_prehash_recoverable(digest.as_slice())
            .expect("signs");
        let bytes = signature.to_bytes();
        (
            27 + recovery.to_byte(),
            B256::from_slice(&bytes[..32]),
            B256::from_slice(&bytes[32..]),
        )
    }
}

fn permit_digest(
    t: &mut Token,
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let domain = eip712_domain! {
        name: "Alchemix USD",
        version: "1",
        chain_id: t.w.chain().chain_id(),
        verifying_contract: t.token,
    };
    let on_chain =
        t.w.chain()
            .view(owner, t.token, &IAlAsset::DOMAIN_SEPARATORCall {})
            .unwrap();
    assert_eq!(on_chain, domain.separator(), "EIP-712 domain separator");
    Permit {
        owner,
        spender,
        value,
        nonce,
        deadline,
    }
    .eip712_signing_hash(&domain)
}

/// `signer`'s permit for `owner`: `spender` may spend `value`, at `nonce`,
/// until `deadline`.
fn signed_permit(
    t: &mut Token,
    signer: &Signer,
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> IAlAsset::permitCall {
    let digest = permit_digest(t, owner, spender, value, nonce, deadline);
    let (v, r, s) = signer.sign(digest);
    IAlAsset::permitCall {
        owner,
        spender,
        value,
        deadline,
        v,
        r,
        s,
    }
}

#[test]
fn permit_with_real_signatures() {
    let mut t = setup();
    let (token, alice, bob) = (t.token, t.alice, t.bob);
    let holder = Signer::new(7);
    let stranger = Signer::new(8);
    let deadline = U256::from(t.w.chain().next_timestamp() + 3_600);
    let value = ether(25);

    // A valid permit, relayed by bob (the holder has no ETH at all).
    let permit = signed_permit(
        &mut t,
        &holder,
        holder.address,
        alice,
        value,
        U256::ZERO,
        deadline,
    );
    let receipt =
        t.w.chain()
            .transact(devnet::TxRequest::call(
                bob,
                token,
                alloy_sol_types::SolCall::abi_encode(&permit),
            ))
            .unwrap();
    assert!(receipt.status, "{receipt:?}");
    let approvals = receipt.events::<Approval>();
    assert_eq!(approvals.len(), 1);
    assert_eq!(
        (approvals[0].owner, approvals[0].spender, approvals[0].value),
        (holder.address, alice, value)
    );
    assert_eq!(
        t.w.chain()
            .view(
                bob,
                token,
                &IAlAsset::allowanceCall {
                    owner: holder.address,
                    spender: alice
                }
            )
            .unwrap(),
        value
    );
    assert_eq!(
        t.w.chain()
            .view(
                bob,
                token,
                &IAlAsset::noncesCall {
                    owner: holder.address
                }
            )
            .unwrap(),
        U256::from(1)
    );

    // Replaying it fails: the nonce moved on, so the signature recovers someone else.
    let err =
        t.w.chain()
            .send_call(bob, token, &permit)
            .map(|_| ())
            .unwrap_err();
    match err.as_error::<ERC2612InvalidSigner>() {
        Some(e) => {
            assert_eq!(e.owner, holder.address);
            assert_ne!(e.signer, holder.address);
        }
        other => panic!("unexpected {other:?}"),
    }

    // Signed by the wrong key: the recovered signer is the stranger.
    let wrong = signed_permit(
        &mut t,
        &stranger,
        holder.address,
        alice,
        value,
        U256::from(1),
        deadline,
    );
    let err =
        t.w.chain()
            .send_call(bob, token, &wrong)
            .map(|_| ())
            .unwrap_err();
    assert_eq!(
        err.as_error::<ERC2612InvalidSigner>(),
        Some(ERC2612InvalidSigner {
            signer: stranger.address,
            owner: holder.address,
        })
    );

    // Expired: the deadline is checked against block.timestamp.
    let expired_deadline = U256::from(t.w.chain().timestamp() + 10);
    let late = signed_permit(
        &mut t,
        &holder,
        holder.address,
        alice,
        value,
        U256::from(1),
        expired_deadline,
    );
    t.w.chain().warp(60);
    let err =
        t.w.chain()
            .send_call(bob, token, &late)
            .map(|_| ())
            .unwrap_err();
    assert_eq!(
        err.as_error::<ERC2612ExpiredSignature>(),
        Some(ERC2612ExpiredSignature {
            deadline: expired_deadline
        })
    );
    assert_eq!(
        t.w.chain()
            .view(
                bob,
                token,
                &IAlAsset::noncesCall {
                    owner: holder.address
                }
            )
            .unwrap(),
        U256::from(1)
    );
}
