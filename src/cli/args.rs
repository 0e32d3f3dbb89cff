//! The command line, declared with clap. Every face of alpha is listed here, so `--help` shows
//! the whole product.

use std::path::PathBuf;

use clap::{Args, Parser as ClapParser, Subcommand, ValueEnum};

use crate::store::{Catchup, Overlap, RunStatus};

/// alpha: a personal workflow assistant.
#[derive(Debug, ClapParser)]
#[command(
    name = "alpha",
    version,
    about = "A personal workflow assistant: saved, versioned, schedulable workflows",
    long_about = "alpha turns repeated multi-step work into saved, versioned, schedulable workflows \
and runs them with live progress.\n\nRun `alpha` with no arguments for the chat shell, or use the \
subcommands below from scripts.",
    after_help = "Examples:\n  alpha workflow validate deploy.yaml\n  alpha workflow create --file deploy.yaml\n  alpha workflow run \"Deploy Pipeline\" branch=dev environment=prod\n  alpha workflow list --tags ci"
)]
pub struct Cli {
    /// The library: a SQLite file, or a postgres:// URL shared by several machines (default:
    /// `store:` in the config file, else $ALPHA_HOME/alpha.db or ~/.local/share/alpha/alpha.db).
    #[arg(long, global = true, env = "ALPHA_DB", hide_env_values = true, value_name = "PATH|URL")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Whether this invocation starts a workflow run (`alpha run`, `alpha workflow run`).
    pub fn starts_a_run(&self) -> bool {
        matches!(self.command, Some(Command::Run(_)) | Some(Command::Workflow(WorkflowCommand::Run(_))))
    }
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage and run workflows.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// Run a workflow: the same as `alpha workflow run`.
    Run(RunArgs),
    /// Print a shell completion script: `alpha completions bash > ~/.local/share/bash-completion/completions/alpha`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `alpha man | man -l -`.
    Man,
    /// Show the intent alpha understands from a sentence (no side effects).
    Parse {
        /// The sentence, e.g. "run git sync with branch dev".
        utterance: String,
        /// Print the intent as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Suggest workflows from repeated commands in your shell history (numbered, best first).
    Suggest {
        /// History file to read, or `-` for stdin (default: your shell histories and alpha's runs).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// History format (default: detected from the content).
        #[arg(long, value_enum)]
        format: Option<HistoryFormatArg>,
        /// Save suggestion N as a workflow.
        #[arg(long, value_name = "N", conflicts_with = "dismiss")]
        accept: Option<usize>,
        /// The accepted workflow's name (default: the suggested one).
        #[arg(long, value_name = "NAME", requires = "accept")]
        name: Option<String>,
        /// Never suggest N again.
        #[arg(long, value_name = "N")]
        dismiss: Option<usize>,
        /// List the dismissed suggestions too.
        #[arg(long)]
        all: bool,
        /// Print suggestions as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The shell histories alpha reads for suggestions.
    #[command(subcommand)]
    History(HistoryCommand),
    /// Run scheduled workflows.
    #[command(subcommand)]
    Scheduler(SchedulerCommand),
    /// Built-in workflow templates.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Open the web dashboard: workflows, runs, schedules and suggestions in the browser.
    Serve(ServeArgs),
    /// Take queued runs (`alpha workflow run NAME --queue`) and run them; `worker list` shows the workers.
    Worker(WorkerArgs),
}

/// `alpha worker`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct WorkerArgs {
    #[command(subcommand)]
    pub command: Option<WorkerCommand>,
    /// Tags this worker has: it takes runs whose workflow's `runs_on` it has all of (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "TAG,...")]
    pub tags: Vec<String>,
    /// Runs at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Its name among the workers (default: HOST-PID).
    #[arg(long)]
    pub name: Option<String>,
}

/// `alpha worker …`
#[derive(Debug, Subcommand)]
pub enum WorkerCommand {
    /// List the workers: tags, heartbeats, the runs they hold, and how many runs wait.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `alpha serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on. Anything but loopback lets other machines connect (with the token).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 8642)]
    pub port: u16,
    /// The token every request must carry (default: the one kept in the data directory, made on first use).
    #[arg(long, env = "ALPHA_WEB_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Open the dashboard in the browser.
    #[arg(long)]
    pub open: bool,
}

/// `alpha workflow …`
#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// List saved workflows.
    List {
        /// Only workflows with this tag (repeatable).
        #[arg(long = "tags", value_name = "TAG")]
        tags: Vec<String>,
        /// Only workflows whose name, tags or description match.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a workflow's definition, parameters, triggers and recent runs.
    Show {
        /// Workflow name.
        name: String,
        /// A saved version other than the current one.
        #[arg(long)]
        version: Option<String>,
        /// Definition format.
        #[arg(long, value_enum, default_value_t = TextFormat::Yaml)]
        format: TextFormat,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a saved workflow or a workflow file.
    Run(RunArgs),
    /// Save a new workflow from a file, interactively, or from a description.
    Create {
        /// What the workflow should do, in your words (starts the conversational builder).
        description: Option<String>,
        /// Workflow file, or `-` for stdin.
        #[arg(long, short, value_name = "FILE")]
        file: Option<PathBuf>,
        /// Replace an existing workflow of the same name (keeping its old versions).
        #[arg(long)]
        replace: bool,
        /// Ask for name, description, tags and steps.
        #[arg(long, short)]
        interactive: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Edit a workflow in $VISUAL or $EDITOR; saved as a new version when valid.
    Edit {
        /// Workflow name.
        name: String,
    },
    /// Give a workflow another name; its versions, runs and schedules stay with it (saved as
    /// a new version).
    #[command(after_help = "Example:\n  alpha workflow rename \"Greet\" \"Say Hello\"")]
    Rename {
        /// Workflow name.
        name: String,
        /// The name it should have.
        new_name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a workflow (its run history stays readable).
    Delete {
        /// Workflow name.
        name: String,
        /// Don't ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Schedule a workflow with cron or a phrase such as "every weekday at 9am", and the
    /// parameter values its runs get (replaces the workflow's schedule unless --add).
    #[command(
        after_help = "Examples:\n  alpha workflow schedule Backup \"every night at 2am\" source=~/docs\n  alpha workflow schedule Report \"0 9 * * 1-5\" --timezone Europe/Berlin --add"
    )]
    Schedule {
        /// Workflow name.
        name: String,
        /// Cron expression or phrase, then parameters as key=value.
        #[arg(num_args = 1.., required = true, value_name = "WHEN [key=value]")]
        when: Vec<String>,
        /// Keep the workflow's other schedules instead of replacing them.
        #[arg(long)]
        add: bool,
        /// IANA time zone (default: local).
        #[arg(long)]
        timezone: Option<String>,
        /// A fire while the previous run is still going: skip it, or queue it.
        #[arg(long, value_enum, default_value_t = Overlap::Skip)]
        overlap: Overlap,
        /// Fires missed while no scheduler ran: run the latest once, all, or none.
        #[arg(long, value_enum, default_value_t = Catchup::Latest)]
        catchup: Catchup,
        /// How far back missed fires are caught up.
        #[arg(long, value_name = "DURATION", default_value = "24h")]
        catchup_window: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a workflow's schedules, or the one with the given cron or phrase.
    Unschedule {
        /// Workflow name.
        name: String,
        /// Only the schedule with this cron or phrase.
        #[arg(value_name = "WHEN")]
        when: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show past runs, newest first.
    History {
        /// Only this workflow's runs.
        name: Option<String>,
        /// How many runs.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only runs with this status.
        #[arg(long, value_enum)]
        status: Option<RunStatus>,
        /// Only runs started since then: an RFC 3339 time, or a span back from now (24h, 7d).
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        /// Show one run's steps.
        #[arg(long, value_name = "ID")]
        run: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print what a run's steps printed (every attempt), or one step's.
    Logs {
        /// Run id (a unique prefix works).
        run: String,
        /// Only this step.
        step: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a workflow to a file or stdout.
    Export {
        /// Workflow name.
        name: String,
        /// Destination (default: stdout).
        #[arg(long, short, value_name = "PATH")]
        file: Option<PathBuf>,
        /// Output format (default: from the file extension, else YAML).
        #[arg(long, value_enum)]
        format: Option<TextFormat>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Validate and save workflow files.
    Import {
        /// Files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Replace workflows of the same name (keeping old versions).
        #[arg(long)]
        replace: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check workflow files and report every problem with its line and column.
    Validate {
        /// Files to check (`-` for stdin).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print diagnostics as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the workflow format.
    Schema,
    /// List a workflow's saved versions.
    Versions {
        /// Workflow name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what changed between two versions (default: V1 against the current one).
    Diff {
        /// Workflow name.
        name: String,
        /// Older version.
        v1: String,
        /// Newer version (default: current).
        v2: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Make an old version current again (as a new version).
    Rollback {
        /// Workflow name.
        name: String,
        /// Version to restore.
        version: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Draw a workflow's plan as a diagram.
    Graph {
        /// Workflow name or file.
        name: String,
        /// Diagram language.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Recommend changes from recorded runs.
    Optimize {
        /// Workflow name.
        name: String,
        /// Save the changes that alter the definition as a new version.
        #[arg(long)]
        apply: bool,
        /// Don't ask before saving.
        #[arg(long, short)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `alpha workflow run` arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Workflow name, or a path to a workflow file.
    pub target: Option<String>,
    /// Parameters as key=value.
    pub params: Vec<String>,
    /// Print one JSON event per line.
    #[arg(long)]
    pub json: bool,
    /// Print the plan and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Stream step output.
    #[arg(long, short)]
    pub verbose: bool,
    /// Continue a failed or interrupted run from its first unfinished step (key=value overrides
    /// parameters; secrets must be given again).
    #[arg(long, value_name = "RUN_ID")]
    pub resume: Option<String>,
    /// Record the run as pending for a worker (`alpha worker`) and print its id.
    #[arg(long, conflicts_with_all = ["dry_run", "resume"])]
    pub queue: bool,
    /// With --queue: follow the run until it ends, with the usual progress and exit code.
    #[arg(long, requires = "queue")]
    pub wait: bool,
}

/// `alpha history …`
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// List the history files alpha reads (`history.sources` and `history.enabled` in the config change it).
    Sources {
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what alpha reads from a history file (commands and format) without keeping it.
    Read {
        /// The file.
        file: PathBuf,
        /// Format (default: detected from the content).
        #[arg(long, value_enum)]
        format: Option<HistoryFormatArg>,
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ingest shell history (bash, zsh, fish, atuin) into alpha's database.
    Import {
        /// History file (default: what is new in the files `history sources` lists).
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Format (default: detected).
        #[arg(long, value_enum)]
        format: Option<HistoryFormatArg>,
        /// Print what was read as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `alpha scheduler …`
#[derive(Debug, Subcommand)]
pub enum SchedulerCommand {
    /// Run due workflows until stopped (SIGTERM or Ctrl-C).
    Run {
        /// On stop, let running workflows finish instead of interrupting them.
        #[arg(long)]
        drain: bool,
    },
    /// List schedules with their next and last fire times.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pause a workflow's schedules (or the one with this cron or phrase): they fire nothing until resumed.
    Pause {
        /// Workflow name.
        name: String,
        /// Only the schedule with this cron or phrase.
        #[arg(value_name = "WHEN")]
        when: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Resume paused schedules; occurrences missed while paused are not caught up.
    Resume {
        /// Workflow name.
        name: String,
        /// Only the schedule with this cron or phrase.
        #[arg(value_name = "WHEN")]
        when: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print (or write) a systemd user unit or crontab line that keeps the scheduler running.
    Install {
        /// Write it instead of printing it.
        #[arg(long)]
        apply: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `alpha template …`
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// List built-in templates.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a template.
    Show {
        /// Template name.
        name: String,
    },
    /// Save a copy of a template into the library.
    Use {
        /// Template name.
        name: String,
        /// Name of the new workflow.
        #[arg(long = "name", value_name = "NEW")]
        new_name: Option<String>,
        /// Parameter defaults as key=value.
        params: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Text formats of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

/// Diagram languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz dot.
    Dot,
}

impl From<TextFormat> for crate::workflow::Format {
    fn from(format: TextFormat) -> Self {
        match format {
            TextFormat::Yaml => crate::workflow::Format::Yaml,
            TextFormat::Json => crate::workflow::Format::Json,
        }
    }
}

impl From<GraphFormat> for crate::executor::Diagram {
    fn from(format: GraphFormat) -> Self {
        match format {
            GraphFormat::Mermaid => crate::executor::Diagram::Mermaid,
            GraphFormat::Dot => crate::executor::Diagram::Dot,
        }
    }
}

/// Shell history formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormatArg {
    /// `~/.bash_history`, with or without `#epoch` lines.
    Bash,
    /// `~/.zsh_history`, plain or extended.
    Zsh,
    /// fish's history file.
    Fish,
    /// atuin's `history.db`.
    Atuin,
    /// One command per line (`history` output is accepted too).
    Plain,
}

impl From<HistoryFormatArg> for crate::proactive::history::HistoryFormat {
    fn from(format: HistoryFormatArg) -> Self {
        use crate::proactive::history::HistoryFormat;
        match format {
            HistoryFormatArg::Bash => HistoryFormat::Bash,
            HistoryFormatArg::Zsh => HistoryFormat::Zsh,
            HistoryFormatArg::Fish => HistoryFormat::Fish,
            HistoryFormatArg::Atuin => HistoryFormat::Atuin,
            HistoryFormatArg::Plain => HistoryFormat::Plain,
        }
    }
}
