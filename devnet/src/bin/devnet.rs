//! `devnet`: the Stylus devnet as a JSON-RPC node.
//!
//! ```text
//! cargo run -p devnet --profile tool -- --port 8547 -v
//! ```

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::U256;
use clap::Parser;
use devnet::node::{self, NodeConfig};

/// A local Arbitrum Stylus chain (real WASM execution) serving Ethereum JSON-RPC.
#[derive(Parser, Debug)]
#[command(name = "devnet", version)]
struct Cli {
    /// Port to listen on (0: any free port).
    #[arg(short, long, default_value_t = 8547)]
    port: u16,
    /// Interface to listen on. The node has no authentication: keep it on loopback.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Chain id.
    #[arg(long, default_value_t = devnet::DEFAULT_CHAIN_ID)]
    chain_id: u64,
    /// Dev accounts besides nitro-devnode's (anvil's keys first).
    #[arg(short, long, default_value_t = 9)]
    accounts: usize,
    /// Balance of each dev account, in ether.
    #[arg(long, default_value_t = 1_000_000)]
    balance: u64,
    /// Seconds between blocks; without it, every transaction is mined at once (automine).
    #[arg(short, long)]
    block_time: Option<f64>,
    /// Load the chain from FILE if it exists; save it there on exit (Ctrl-C included).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// ArbOS version whose Stylus rules apply (40 and up; default: what Arbitrum One runs).
    #[arg(long = "arbos", value_name = "N", default_value_t = devnet::params::DEFAULT_ARBOS_VERSION,
          value_parser = clap::value_parser!(u64).range(devnet::params::MIN_ARBOS_VERSION..))]
    arbos: u64,
    /// Require and keep nitro's activation data fee (`ProgramInsufficientValue` when short).
    #[arg(long)]
    data_fee: bool,
    /// -v: one line per transaction and contracts' console output; -vv: also every RPC call.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() {
    let cli = Cli::parse();
    let block_time = match cli.block_time {
        Some(t) if !(t.is_finite() && t > 0.0) => {
            eprintln!("error: --block-time must be a positive number of seconds");
            std::process::exit(2);
        }
        t => t.map(Duration::from_secs_f64),
    };
    let config = NodeConfig {
        host: cli.host,
        port: cli.port,
        chain_id: cli.chain_id,
        accounts: cli.accounts,
        balance: U256::from(cli.balance) * U256::from(10u64).pow(U256::from(18u64)),
        block_time,
        state_file: cli.state.clone(),
        verbosity: cli.verbose,
        arbos_version: cli.arbos,
        charge_data_fee: cli.data_fee,
        ..NodeConfig::default()
    };
    let node = match node::spawn(config) {
        Ok(node) => node,
        Err(e) => {
            eprintln!("error: cannot start the node: {e}");
            std::process::exit(1);
        }
    };
    print_banner(&node, &cli, block_time);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a signal-handling runtime");
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    eprintln!("\nshutting down");
    node.shutdown();
}

fn print_banner(node: &node::NodeHandle, cli: &Cli, block_time: Option<Duration>) {
    println!(
        "devnet v{} — Arbitrum Stylus devnet\n",
        env!("CARGO_PKG_VERSION")
    );
    println!("Available accounts (balance {} ETH each)", cli.balance);
    println!("==================");
    let accounts = node.dev_accounts();
    for (i, (address, _)) in accounts.iter().enumerate() {
        println!("({i}) {address}");
    }
    println!("\nPrivate keys");
    println!("==================");
    for (i, (_, key)) in accounts.iter().enumerate() {
        println!("({i}) {key}");
    }
    println!("\nChain id:          {}", cli.chain_id);
    println!(
        "ArbOS version:     {} (Stylus rules; ArbSys.arbOSVersion = {})",
        cli.arbos,
        55 + cli.arbos
    );
    println!(
        "Activation fee:    {}",
        if cli.data_fee {
            "charged (nitro's data pricer)"
        } else {
            "waived: 0, value refunded (--data-fee to charge nitro's)"
        }
    );
    println!(
        "Mining:            {}",
        block_time.map_or("automine (one block per transaction)".to_string(), |t| {
            format!("a block every {:.3}s", t.as_secs_f64())
        })
    );
    println!("StylusDeployer:    {}", node::predeploys::STYLUS_DEPLOYER);
    println!("CREATE2 factory:   {}", node::predeploys::CREATE2_FACTORY);
    if let Some(state) = &cli.state {
        println!("State file:        {}", state.display());
    }
    println!("\nListening on {}", node.url());
}
