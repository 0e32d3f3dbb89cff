//! `alpha serve`: starts the dashboard and says where it is.

use super::args::ServeArgs;
use crate::commands::Context;
use crate::error::{Error, exit};
use crate::web::{Listening, ServeOptions, serve as start};

/// Serves until Ctrl-C; prints the address (with the token, once) as soon as it listens.
pub fn serve(ctx: &Context, args: ServeArgs) -> Result<i32, Error> {
    let options = ServeOptions { bind: args.bind, port: args.port, token: args.token };
    let open = args.open;
    start(ctx, options, |listening: &Listening| {
        if listening.exposed {
            crate::errln!(
                "warning: listening on {}, which other machines can reach; every request still needs the token",
                listening.address
            );
        }
        crate::outln!("alpha dashboard: {}", listening.url);
        if let Some(file) = &listening.token_file {
            crate::outln!("token kept in {} (mode 0600)", file.display());
        }
        crate::outln!("Ctrl-C stops it.");
        if open {
            let _ = std::process::Command::new("xdg-open")
                .arg(&listening.url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
    })?;
    Ok(exit::OK)
}
