//! The `relance` command line. Each command lives in `relance::cli`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    relance::cli::init_logging();
    match relance::cli::run(std::env::args_os()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("relance: {}", relance::cli::describe(&err));
            ExitCode::from(relance::cli::exit_code(&err))
        }
    }
}
