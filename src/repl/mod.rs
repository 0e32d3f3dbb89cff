//! The chat shell: `alpha` with no arguments (design.md §7). Every line goes one way:
//! slash command or plain language → grammar → intent (→ LLM fallback) → the same commands the
//! CLI uses. On a terminal it is a rustyline editor; with piped stdin each line is one utterance
//! and answers are plain text.

mod building;
mod by_hand;
mod fallback;
mod follow_ups;
mod helper;
mod offers;
mod session;

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};

use crate::commands::Context;
use crate::error::{Result, exit};
use crate::schedule::daemon;
pub use helper::COMMANDS;
use helper::ShellHelper;
pub use session::Session;

/// The greeting: what alpha can do and how to get help.
pub const GREETING: &str = "alpha: your workflow assistant. Tell me what to run, list, schedule or create,\n\
in plain words (\"run deploy pipeline with branch dev\") or with /commands. /help lists them; Ctrl-D quits.";

/// How long piped input waits for the shell histories to be read before its first line.
const READ_WAIT: Duration = Duration::from_secs(20);

/// Runs the shell until quit or end of input; returns the exit code.
pub fn run(ctx: &Context) -> Result<i32> {
    let library = Arc::new(Mutex::new(crate::commands::parse::library(ctx)));
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mut session = Session::new(ctx, library.clone(), interactive)?;
    if interactive { terminal(&mut session, library, ctx) } else { piped(&mut session, ctx) }
}

/// Runs due schedules in the background while the session is open; the database claims make
/// sure a daemon and other sessions never fire the same occurrence.
struct Background {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    fn start(ctx: &Context, notice: daemon::Notice) -> Background {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = ctx.clock().ok().map(|clock| {
            let options = daemon::Options { drain: true, notice, stop: stop.clone(), tick: Duration::from_millis(500) };
            let mut scheduler = daemon::Scheduler::new(&ctx.db, clock, options);
            std::thread::spawn(move || {
                let _ = scheduler.run();
            })
        });
        Background { stop, handle }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

fn piped(session: &mut Session, ctx: &Context) -> Result<i32> {
    let _background = Background::start(ctx, Arc::new(|line: &str| crate::outln!("{line}")));
    session.report_scheduled_failures();
    session.reader = Some(offers::Reader::start(ctx, None));
    // Piped input has no prompt to keep waiting: the offer comes before the first answer.
    session.receive_offer(READ_WAIT);
    let stdin = std::io::stdin();
    let mut code = exit::OK;
    let mut pending = String::new();
    loop {
        // Read one line at a time without holding the lock: a confirmation question reads the
        // next line itself.
        let mut line = String::new();
        match stdin.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\n', '\r']).to_string();
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(&line);
        let utterance = std::mem::take(&mut pending);
        if utterance.trim().is_empty() && !session.in_dialog() {
            continue;
        }
        match session.handle_line(&utterance, &mut |prompt| session::read_piped_answer(prompt)) {
            session::Outcome::Quit => break,
            session::Outcome::Done(result) => {
                if result != exit::OK && code == exit::OK {
                    code = result;
                }
            }
        }
    }
    Ok(code)
}

fn terminal(session: &mut Session, library: Arc<Mutex<crate::grammar::Library>>, ctx: &Context) -> Result<i32> {
    let config = Config::builder().completion_type(CompletionType::List).auto_add_history(false).build();
    let mut editor: Editor<ShellHelper, DefaultHistory> = Editor::with_config(config)
        .map_err(|e| crate::error::Error::External(format!("can't start the line editor: {e}")))?;
    editor.set_helper(Some(ShellHelper { library }));
    let history = crate::paths::data_dir().join("repl_history");
    let _ = editor.load_history(&history);
    crate::outln!("{GREETING}");
    // Notices from scheduled runs are printed above the prompt without breaking the line.
    let notice: daemon::Notice = match editor.create_external_printer() {
        Ok(printer) => {
            let printer = Mutex::new(printer);
            Arc::new(move |line: &str| {
                if let Ok(mut printer) = printer.lock() {
                    let _ = rustyline::ExternalPrinter::print(&mut *printer, format!("{line}\n"));
                }
            })
        }
        Err(_) => Arc::new(|line: &str| crate::outln!("{line}")),
    };
    let _background = Background::start(ctx, notice.clone());
    session.report_scheduled_failures();
    session.reader = Some(offers::Reader::start(ctx, Some(notice)));
    let prompt = if ctx.settings.no_color { "alpha> ".to_string() } else { "\x1b[1;36malpha>\x1b[0m ".to_string() };
    // While the user reads the prompt, not after they type the first line; a moment late, so
    // the line editor draws the prompt first (nobody types a line in 30 ms).
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(30));
        crate::grammar::warm_up();
    });
    loop {
        match editor.readline(&prompt) {
            Ok(line) => {
                let line = line.replace("\\\n", " ");
                if line.trim().is_empty() && !session.in_dialog() {
                    continue;
                }
                let _ = editor.add_history_entry(session.history_line(&line));
                let mut ask = |question: &str| -> Option<String> { editor_answer(question) };
                if let session::Outcome::Quit = session.handle_line(&line, &mut ask) {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                crate::errln!("error: {error}");
                break;
            }
        }
    }
    if let Some(parent) = history.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = editor.save_history(&history);
    crate::outln!("Bye.");
    Ok(exit::OK)
}

/// Asks a yes/no or free question on the terminal with a fresh one-line editor.
fn editor_answer(question: &str) -> Option<String> {
    let mut editor = rustyline::DefaultEditor::new().ok()?;
    editor.readline(question).ok().map(|a| a.trim().to_string())
}
