//! The `followup` binary: parse, dispatch, map errors to exit codes.

fn main() {
    std::process::exit(followup::cli::main());
}
