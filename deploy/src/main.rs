//! The deploy tool's command line.
//!
//! ```text
//! deploy up     [--port 8547] [--config deploy/devnet.toml] [--manifest target/devnet/manifest.json]
//! deploy deploy --rpc-url URL --config FILE --manifest FILE [--fresh] [--activation-value WEI]
//! deploy check  --config FILE
//! deploy status    --rpc-url URL --manifest FILE [--days-left 180]
//! deploy keepalive --rpc-url URL --manifest FILE [--days-left 180] [--value WEI]
//! ```

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use deploy::{plan::workspace_root, Backend, Config, Manifest, Options, Rpc};

const USAGE: &str = "usage:
  deploy up     [--port 8547] [--config deploy/devnet.toml] [--manifest target/devnet/manifest.json]
                starts the embedded devnet node, deploys the suite, serves until Ctrl-C
  deploy deploy --rpc-url URL --config FILE --manifest FILE [--fresh] [--activation-value WEI]
                deploys (or resumes) on any RPC; key from $DEPLOYER_PRIVATE_KEY
  deploy check  --config FILE
                validates a configuration and prints its warnings
  deploy status    --rpc-url URL --manifest FILE [--days-left 180]
                prints each program's Stylus version, days left, cache state
  deploy keepalive --rpc-url URL --manifest FILE [--days-left 180] [--value WEI]
                keeps alive the programs with at most --days-left days left
                (idempotent: run it again to resume); key from $DEPLOYER_PRIVATE_KEY";

fn main() {
    if let Err(error) = run() {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

/// `--name value` pairs and `--flag`s.
struct Args(Vec<String>);

impl Args {
    fn value(&self, name: &str) -> Result<Option<String>> {
        match self.0.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) => match self.0.get(i + 1) {
                Some(v) if !v.starts_with("--") => Ok(Some(v.clone())),
                _ => bail!("{name} needs a value\n{USAGE}"),
            },
        }
    }

    fn flag(&self, name: &str) -> bool {
        self.0.iter().any(|a| a == name)
    }

    fn check_known(&self, known: &[&str]) -> Result<()> {
        for arg in self.0.iter().filter(|a| a.starts_with("--")) {
            if !known.contains(&arg.as_str()) {
                bail!("unknown option {arg}\n{USAGE}");
            }
        }
        Ok(())
    }
}

fn load_config(path: &str) -> Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let (config, warnings) = Config::from_toml(&text).with_context(|| path.to_owned())?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    Ok(config)
}

fn run() -> Result<()> {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let command = argv.remove(0);
    let args = Args(argv);
    match command.as_str() {
        "up" => {
            args.check_known(&["--port", "--config", "--manifest"])?;
            up(&args)
        }
        "deploy" => {
            args.check_known(&[
                "--rpc-url",
                "--config",
                "--manifest",
                "--fresh",
                "--activation-value",
            ])?;
            let url = args.value("--rpc-url")?.context("--rpc-url is required")?;
            let config = load_config(&args.value("--config")?.context("--config is required")?)?;
            let path = PathBuf::from(
                args.value("--manifest")?
                    .context("--manifest is required")?,
            );
            let mut backend = Rpc::from_env(&url)?;
            if let Some(value) = args.value("--activation-value")? {
                backend.activation_value = value.parse().context("--activation-value (wei)")?;
            }
            let resume = if path.exists() && !args.flag("--fresh") {
                eprintln!("resuming from {}", path.display());
                Some(Manifest::load(&path)?)
            } else {
                None
            };
            let manifest = run_deploy(&mut backend, &config, resume, &path)?;
            print_summary(&manifest, &url);
            Ok(())
        }
        "check" => {
            args.check_known(&["--config"])?;
            let config = load_config(&args.value("--config")?.context("--config is required")?)?;
            println!(
                "{} configuration is valid",
                format!("{:?}", config.profile).to_lowercase()
            );
            Ok(())
        }
        "status" | "keepalive" => {
            args.check_known(&["--rpc-url", "--manifest", "--days-left", "--value"])?;
            lifetime(&command, &args)
        }
        other => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

/// `deploy status` / `deploy keepalive` (see `deploy::lifetime`).
fn lifetime(command: &str, args: &Args) -> Result<()> {
    use deploy::lifetime;
    let url = args.value("--rpc-url")?.context("--rpc-url is required")?;
    let path = args
        .value("--manifest")?
        .context("--manifest is required")?;
    let manifest = Manifest::load(std::path::Path::new(&path))?;
    let threshold = match args.value("--days-left")? {
        Some(days) => days.parse::<u64>().context("--days-left")? * 86_400,
        None => lifetime::DEFAULT_THRESHOLD_SECONDS,
    };
    if command == "status" {
        // Reads only: any key will do when none is configured.
        let mut backend =
            Rpc::from_env(&url).or_else(|_| Rpc::connect(&url, &[devnet::DEV_PRIVATE_KEY]))?;
        let (_, keepalive_days) = lifetime::chain_days(&mut backend)?;
        let statuses = lifetime::status(&mut backend, &manifest)?;
        print!(
            "{}",
            lifetime::render_status(&statuses, threshold, keepalive_days)
        );
        return Ok(());
    }
    let mut backend = Rpc::from_env(&url)?;
    let value = match args.value("--value")? {
        Some(v) => v.parse().context("--value (wei)")?,
        None => alloy_primitives::U256::ZERO,
    };
    let outcomes = lifetime::keepalive(&mut backend, &manifest, threshold, value, true)?;
    let refreshed = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, lifetime::KeepaliveOutcome::Refreshed { .. }))
        .count();
    println!(
        "{refreshed} program(s) kept alive, {} skipped",
        outcomes.len() - refreshed
    );
    Ok(())
}

fn run_deploy(
    backend: &mut impl Backend,
    config: &Config,
    resume: Option<Manifest>,
    path: &std::path::Path,
) -> Result<Manifest> {
    eprintln!(
        "deploying the suite ({:?} profile) as {} on chain {}",
        config.profile,
        backend.sender(),
        backend.chain_id()?
    );
    let options = Options {
        manifest_path: Some(path.to_owned()),
        progress: true,
        ..Options::default()
    };
    let manifest = deploy::deploy(backend, config, resume, options)?;
    eprintln!("manifest: {}", path.display());
    Ok(manifest)
}

fn print_summary(manifest: &Manifest, url: &str) {
    println!();
    println!(
        "chain id {}  block {}  RPC {url}",
        manifest.chain_id, manifest.block
    );
    for (key, address) in &manifest.addresses {
        println!("  {key:<16} {address}");
    }
}

fn up(args: &Args) -> Result<()> {
    let port = match args.value("--port")? {
        Some(p) => p.parse().context("--port")?,
        None => 8547,
    };
    let root = workspace_root();
    let config_path = args
        .value("--config")?
        .map_or_else(|| root.join("deploy/devnet.toml"), PathBuf::from);
    let config = load_config(&config_path.to_string_lossy())?;
    let manifest_path = args
        .value("--manifest")?
        .map_or_else(|| root.join("target/devnet/manifest.json"), PathBuf::from);
    let node = devnet::node::spawn(devnet::node::NodeConfig {
        port,
        ..Default::default()
    })
    .with_context(|| format!("starting the devnet node on port {port}"))?;
    let url = node.url();
    eprintln!("devnet node listening on {url}");
    let accounts = node.dev_accounts();
    let keys: Vec<_> = accounts.iter().map(|(_, key)| *key).collect();
    let mut backend = Rpc::connect(&url, &keys[..1])?;
    // A fresh chain: any earlier manifest describes a chain that no longer exists.
    let manifest = run_deploy(&mut backend, &config, None, &manifest_path)?;
    print_summary(&manifest, &url);
    println!();
    println!("dev accounts (public test keys, never use them on a real chain):");
    for (address, key) in &accounts {
        println!("  {address}  {key}");
    }
    println!();
    println!(
        "serving on {url} (chain id {}); Ctrl-C to stop",
        manifest.chain_id
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    eprintln!("stopping");
    node.shutdown();
    Ok(())
}
