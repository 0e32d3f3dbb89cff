//! The `alpha` binary: parses arguments and hands over to the library.

fn main() {
    std::process::exit(alpha::cli::main());
}
