//! The `alpha` binary: parses arguments and hands over to the library.

fn main() {
    // Like other Unix tools, end quietly when the reader of our output goes away (`alpha … | head`).
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(alpha::cli::main());
}
