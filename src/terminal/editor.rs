//! `alpha workflow edit NAME`: the definition in `$VISUAL`/`$EDITOR`, saved as a new version
//! when it is valid; an invalid edit can be re-opened or discarded, and nothing is lost.

use super::prompt;
use crate::commands::Context;
use crate::commands::library::{begin_edit, finish_edit};
use crate::error::{Error, Result, exit};
use crate::terminal::{stderr_color, text};

/// Opens the editor until the text is valid, unchanged, or discarded.
pub fn edit(ctx: &Context, name: &str) -> Result<i32> {
    let editing = begin_edit(ctx, name)?;
    let editor = &ctx.settings.editor;
    let dir =
        tempfile::Builder::new().prefix("alpha-edit").tempdir().map_err(|e| Error::io("can't create a temp dir", e))?;
    let path = dir.path().join(&editing.file_name);
    std::fs::write(&path, &editing.text).map_err(|e| Error::io("can't write the temp file", e))?;
    let interactive = prompt::interactive();
    loop {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status()
            .map_err(|e| Error::io(format!("can't start the editor `{editor}`"), e))?;
        if !status.success() {
            return Err(Error::External(format!("the editor `{editor}` exited with {status}; nothing was changed")));
        }
        let edited = std::fs::read_to_string(&path).map_err(|e| Error::io("can't read the edited file", e))?;
        match finish_edit(ctx, &editing, &path.display().to_string(), edited) {
            Ok(outcome) => {
                crate::out!("{}", text::edited(&outcome));
                return Ok(exit::OK);
            }
            Err(Error::Invalid(diagnostics)) => {
                crate::err!("{}", diagnostics.render(stderr_color()));
                if !interactive {
                    let kept = keep_rejected(ctx, &editing.file_name, &path)?;
                    crate::errln!(
                        "The edited workflow is invalid; nothing was saved. Your text is kept in {}",
                        kept.display()
                    );
                    return Ok(exit::USAGE);
                }
                let answer =
                    prompt::ask("The workflow is invalid. (r)e-open the editor or (d)iscard the changes? [r/d] ")?;
                if matches!(answer.as_str(), "d" | "discard") {
                    let kept = keep_rejected(ctx, &editing.file_name, &path)?;
                    crate::outln!("Discarded; nothing was saved. A copy of your text is in {}", kept.display());
                    return Ok(exit::USAGE);
                }
            }
            Err(other) => return Err(other),
        }
    }
}

/// Copies an edit that could not be saved next to the database (`rejected-edits/`), so the
/// user's work is never thrown away with the temporary file.
fn keep_rejected(ctx: &Context, file_name: &str, edited: &std::path::Path) -> Result<std::path::PathBuf> {
    let dir = ctx.local_dir().join("rejected-edits");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(format!("can't create {}", dir.display()), e))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let kept = dir.join(format!("{stamp}-{file_name}"));
    std::fs::copy(edited, &kept).map_err(|e| Error::io(format!("can't keep the edit in {}", kept.display()), e))?;
    Ok(kept)
}
