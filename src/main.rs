//! The `followup` binary: parse, dispatch, map errors to exit codes.

/// mimalloc rather than the system allocator: metrics and ingest allocate many
/// short-lived buffers from several threads, where glibc's malloc cost about a tenth
/// of the run's CPU time (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(followup::cli::main());
}
