//! The `followup` binary: parse, dispatch, map errors to exit codes.

/// mimalloc rather than the system allocator: metrics and ingest allocate many
/// short-lived buffers from several threads, where glibc's malloc cost about a tenth
/// of the run's CPU time (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's option interface (mimalloc.h); the `mimalloc` crate links the library.
extern "C" {
    #[cfg(test)]
    fn mi_option_get(option: std::os::raw::c_int) -> std::os::raw::c_long;
    fn mi_option_set(option: std::os::raw::c_int, value: std::os::raw::c_long);
}

/// `mi_option_purge_delay`: its place in the `mi_option_e` enum of the mimalloc
/// (v3) that the `mimalloc` crate builds. The test below pins it by its default.
const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;

/// Keep freed memory for reuse instead of handing it back to the OS a second
/// later (mimalloc's default). Every command is a batch run that ends within
/// minutes, so giving memory back buys nothing, while taking it again costs a
/// page fault and a zeroed page for every 4 KiB: in the year-scale metrics run
/// that was a fifth of the system time (measured in BENCHMARKS.md). Peak
/// memory is what it was; the process keeps it until it exits.
fn keep_freed_memory() {
    // SAFETY: sets a global option of the allocator; mimalloc allows this at
    // any time.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// No transparent huge pages for this process. mimalloc asks the kernel for
/// them over its 1 GiB arenas (before `main`, so its own option comes too
/// late), and the kernel then zeroes a whole 2 MiB page the first time any
/// byte of it is touched: on the sample's nightly that zeroing was a quarter
/// of the CPU samples, and a year's ingest spent twice the system time
/// (BENCHMARKS.md, "Transparent huge pages"). The flag applies to every later
/// page fault of the process, in mappings made before it too.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and touches no memory
    // of ours; a kernel that refuses it leaves the default, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Rayon's global pool with 64 MiB stacks (2 MiB by default; reserved, and
/// only touched as used). A worker that waits on polars' own pool runs other
/// work of its pool on top of the waiting call; per-item work that reads
/// Parquet runs on plain threads for that reason (`workers`), but the
/// staffing views stay on rayon, where their replays share the pool (plain
/// threads made the report stage a fifth slower), and a view reads Parquet
/// before its replays. The larger stack is the margin for that nesting.
fn rayon_stacks() {
    // Fails only if the pool was built already, which nothing before does.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .build_global();
}

fn main() {
    no_huge_pages();
    keep_freed_memory();
    rayon_stacks();
    std::process::exit(followup::cli::main());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // 1000 ms is purge_delay's documented default in mimalloc v3 and no other
        // option's, so this fails if the enum moves under a new mimalloc.
        // SAFETY: reads and sets a global allocator option.
        unsafe {
            if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
                assert_eq!(mi_option_get(MI_OPTION_PURGE_DELAY), 1000);
            }
            keep_freed_memory();
            assert_eq!(mi_option_get(MI_OPTION_PURGE_DELAY), -1);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_turned_off_for_the_process() {
        no_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE reads the process's flag.
        assert_eq!(
            unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) },
            1
        );
    }
}
