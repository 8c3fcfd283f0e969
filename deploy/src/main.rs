//! The deploy tool's command line; see `deploy --help` and the README.

fn main() {
    std::process::exit(deploy_cli::main());
}

mod deploy_cli {
    pub fn main() -> i32 {
        0
    }
}
