//! The `alpha` binary: parses arguments and hands over to the library.

fn main() {
    if let Some(code) = alpha::tools::processes::serve_watchdog() {
        std::process::exit(code);
    }
    end_quietly_when_the_reader_goes_away();
    std::process::exit(alpha::cli::main());
}

/// Like other Unix tools, `alpha … | head` ends as if killed by SIGPIPE when the reader goes away.
///
/// SIGPIPE itself stays ignored (Rust's default), because a peer that closes a socket must be an
/// error for the step that wrote to it (tokio writes with `writev`, which raises SIGPIPE), not
/// the death of the whole run. Instead, the panic that `println!` raises on a broken pipe is
/// turned back into the signal.
fn end_quietly_when_the_reader_goes_away() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload.downcast_ref::<String>().map(String::as_str).or(payload.downcast_ref::<&str>().copied());
        let broken_pipe = message
            .is_some_and(|message| message.starts_with("failed printing to std") && message.contains("Broken pipe"));
        if broken_pipe {
            // SAFETY: restoring a signal's default disposition and raising it are async-signal-safe.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                libc::raise(libc::SIGPIPE);
            }
        }
        default_hook(info);
    }));
}
