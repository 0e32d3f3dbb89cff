//! Other people's words for the same commands: when no rule reads a line, it is said again in
//! the words the rules know ("let me see the logs" → "show me the logs", "list all my
//! automations" → "list my workflows", "i need X to run now" → "run X") and read once more.
//! Only a reading of the rewritten line that is a command counts; the rewrite itself is never
//! shown, and a line is rewritten at most once.

use std::sync::LazyLock;

use regex::Regex;

/// Word-for-word substitutions, applied everywhere in the line (whole words only).
const WORDS: &[(&str, &str)] = &[
    ("automations", "workflows"),
    ("automation", "workflow"),
    ("routines", "workflows"),
    ("flows", "workflows"),
    ("flow", "workflow"),
    ("which", "what"),
    ("modify", "change"),
    ("alter", "change"),
    ("lemme", "let me"),
    ("gimme", "give me"),
    ("whats", "what's"),
    ("wats", "what's"),
    ("teh", "the"),
    ("hte", "the"),
    ("u", "you"),
    ("ur", "your"),
    ("why'd", "why did"),
    ("how'd", "how did"),
    ("what'd", "what did"),
    ("ls", "list"),
    ("wf", "workflows"),
    ("wfs", "workflows"),
    ("nuke", "delete"),
    // "what failed recently": the last seven days.
    ("recently", "this week"),
    ("lately", "this week"),
];

/// Whole-line shapes and what they say in the rules' words (`$n` are the captures).
const SHAPE_PATTERNS: &[(&str, &str)] = &[
    (r"^(?:that's all|that is all|that's it|that is it|ok|okay|alright)[,.!]?\s+(.+)$", "$1"),
    (r"^(?:let me see|can i see|could i see|may i see|i want to see|i'd like to see)\s+(.+)$", "show me $1"),
    (r"^(?:give me|show me|get me|what are)?\s*(?:the\s+)?details\s+(?:of|on|for|about)\s+(.+)$", "show $1"),
    (
        r"^(?:i need|i want|i'd like|get|have|make)\s+(?:the\s+)?(.+?)\s+to\s+(?:run|go|start)(?:\s+(?:now|right now|immediately|asap|straight away))?$",
        "run $1",
    ),
    (r"^(?:the\s+)?(.+?)\s+(?:needs|has|ought) to (?:run|be run)(?:\s+(?:now|right now|immediately|asap))?$", "run $1"),
    (r"^automate\s+(.+?)\s+((?:every|each|daily|nightly|hourly|weekly|monthly|on|at)\b.*)$", "schedule $1 $2"),
    (
        r"^(?:stop|quit) running\s+(.+?)\s+(?:every\b.*|each\b.*|daily|nightly|hourly|weekly|monthly|automatically|on a schedule|on schedule)$",
        "unschedule $1",
    ),
    (
        r"^(?:show|list|give me|what is|what's|see)?\s*(?:me\s+)?(?:the\s+)?(?:history of changes|change history|edit history|revision history|changes)\s+(?:to|of|for)\s+(.+)$",
        "versions of $1",
    ),
    (r"^save\s+(.+?)\s+(?:as|to)\s+(?:an?\s+)?(?:yaml|json|yml)(?:\s+file)?$", "export $1"),
    (r"^save\s+(.+?)\s+(?:as|to)\s+(\S+\.(?:ya?ml|json))$", "export $1 to $2"),
    (
        r"^(?:load|read|bring in|pull in)\s+(?:the\s+|a\s+)?(?:workflows?\s+)?(?:from\s+)?(\S+\.(?:ya?ml|json))$",
        "import $1",
    ),
    (
        r"^is\s+(?:this file|the file|this|file)?\s*(?:ok|okay|valid|fine|correct|right)[:?]?\s+(\S+\.(?:ya?ml|json))$",
        "validate $1",
    ),
    (r"^is\s+(\S+\.(?:ya?ml|json))\s+(?:ok|okay|valid|fine|correct|right)$", "validate $1"),
    (r"^(?:what broke|what's broken|what is broken|what blew up|what went bad)$", "why did it fail"),
    (r"^how did (?:the last run|my last run|the run|that|it) go$", "did it work"),
    (r"^what do you think i should automate$", "what should i automate"),
    (r"^workflows (?:list|please|pls)$", "list workflows"),
    (
        r"^what workflows (?:have i|did i) (?:made|make|created|create|built|build|written|write|set up)$",
        "list workflows",
    ),
    (r"^(?:list|show|show me|give me) everything (?:you have|you've got|there is|here|you know)$", "list workflows"),
    (r"^what's saved(?: here| in here)?$", "list workflows"),
    (r"^tell me what (?:the\s+)?(.+?) does$", "what does $1 do"),
    (r"^how does (?:the\s+)?(.+?) work$", "what does $1 do"),
    (
        r"^what (?:parameters|params|inputs|arguments|options|values) does (?:the\s+)?(.+?) (?:take|need|accept|have|want|expect)$",
        "show $1",
    ),
    (r"^what versions (?:does|do|of) (?:the\s+)?(.+?)(?: have| exist| are there)?$", "versions of $1"),
    (r"^explain why (?:the\s+)?(.+?) (?:failed|broke|crashed|errored|went wrong)$", "why did $1 fail"),
    (r"^what (?:broke|went wrong|blew up) (?:in|with|on|for) (?:the\s+)?(.+)$", "what went wrong with $1"),
    (r"^(?:show me|show|tell me|list) what you(?:'ve| have)? got$", "list workflows"),
    (r"^(?:i'm|i am|im) (?:lost|confused|stuck|new here)$", "help"),
    (r"^no more (?:automatic |scheduled |nightly |daily )?runs (?:of|for) (?:the\s+)?(.+)$", "cancel $1 schedule"),
    (r"^(?:kick|fire|start|set) (?:the\s+)?(.+?) off\b(.*)$", "run $1$2"),
    (r"^i need (?:the\s+)?(.+?) (?:run|ran|to run|to be run)\b(.*)$", "run $1$2"),
    (r"^(?:give me|show me|show|get me) (?:the |a )?list of (?:my |all |the )?workflows$", "list workflows"),
    (r"^(?:stop|prevent|keep) (?:the\s+)?(.+?) from running\b.*$", "cancel $1 schedule"),
    (r"^what(?:'s| is) on (?:my |the )?schedule$", "what's scheduled"),
    (
        r"^i (?:don't|do not) (?:need|want|use) (?:the\s+)?(.+?)(?: anymore| any more)?,? (?:so |just )?(?:delete|remove|drop) it$",
        "delete $1",
    ),
    (r"^let me (change|edit|modify|update|tweak|fix) (.+)$", "$1 $2"),
    (r"^(?:please )?do (run|start|execute|show|list|delete|edit|schedule) (.+)$", "$1 $2"),
    (
        r"^(?:trigger|start|kick off|launch|do|begin|fire off|fire) (?:a |another |one |a new )?run of (?:the\s+)?(.+)$",
        "run $1",
    ),
    (r"^(?:show|give|get)(?: me)? the list$", "list workflows"),
    (r"^can (?:the\s+)?(.+?) (?:run|go) ((?:every|each|at|on|daily|nightly|hourly|weekly) .+)$", "schedule $1 $2"),
    (r"^unschedule (?:everything|all) (?:for|of|on) (.+)$", "unschedule $1"),
    (r"^for (?:the\s+)?(.+?),? (?:use|with|set) (.+?),? (?:and|then) (?:run|start) it$", "run $1 with $2"),
    (r"^(?:make|let|have) (?:the\s+)?(.+?) (?:happen|go)(?: now)?$", "run $1"),
    (r"^(?:go ahead|proceed|go on|carry on) with (?:the\s+)?(.+)$", "run $1"),
    (r"^(?:stop|quit|no more) auto[- ]?running (?:the\s+)?(.+)$", "stop running $1 automatically"),
    (r"^(?:no longer|never) (?:schedule|run) (?:the\s+)?(.+?)(?: automatically| on a schedule)?$", "unschedule $1"),
    (r"^what(?:'s| is) on (?:the |my )?(?:calendar|agenda|timetable)$", "what's scheduled"),
    (
        r"^(?:which|what) (?:ones|workflows) (?:run|are run|go) (?:on a schedule|automatically|by themselves)$",
        "what's scheduled",
    ),
    (r"^what(?:'s| is) automated$", "what's scheduled"),
    (r"^what are the (?:steps|parameters|params|inputs|options) (?:of|in|for) (?:the\s+)?(.+)$", "show $1"),
    (r"^what(?:'s| is| runs| is running|'s running) on (?:a |the )?schedule$", "what's scheduled"),
    (r"^when(?:'s| is) (?:the\s+)?(.+?) scheduled(?: for| to run)?$", "when does $1 run next"),
    (r"^what (?:do|have) you (?:have|got)(?: for me| saved| here)?$", "list workflows"),
    (r"^(?:set up|create|add|make) (?:a |an |the )?schedule for (.+)$", "schedule $1"),
    (r"^(.*\S) automatically ((?:every|each|daily|nightly|hourly|weekly|at|on) .*)$", "$1 $2"),
    (
        r"^(?:stop|cancel|disable|turn off|pause|end) (?:the\s+)?(?:automatic|scheduled|recurring) (.+?)(?: runs?)?$",
        "cancel $1 schedule",
    ),
    (
        r"^(?:remove|delete|clear|cancel|stop|drop) (?:all|every) (?:the\s+)?schedules? (?:for|of|on|from) (.+)$",
        "unschedule $1",
    ),
    (
        r"^is (?:my |the |this )?(?:workflow )?(?:file )?(\S+\.(?:ya?ml|json)) (?:ok|okay|valid|fine|correct|right|good)$",
        "validate $1",
    ),
    (r"^(?:what's|what is|when's|when is) (?:the )?next (?:scheduled )?(?:run|fire|job)$", "what's scheduled"),
    (r"^tell me ((?:what went wrong|what happened|why)\b.*)$", "$1"),
    (
        r"^(?:add|bring in|take|use|import|load)\s+(?:the\s+|my\s+|this\s+|a\s+)?(?:workflows?|file|definition)\s+(?:in|at|from)\s+(\S+\.(?:ya?ml|json))$",
        "import $1",
    ),
    (
        r"^(?:validate|check|lint|verify)\s+(?:my|the|this|that|a)\s+(?:workflow\s+)?(?:file\s+)?(\S+\.(?:ya?ml|json))$",
        "validate $1",
    ),
    (r"^explain\s+(?:the\s+)?(.+?)'s\s+(?:failure|error|crash|problem|breakage)s?$", "why did $1 fail"),
    (
        r"^what(?:'s|\s+was|\s+is)\s+the\s+(?:last|latest|most recent|previous)\s+(?:thing|workflow|job|one|run)\s+(?:that\s+)?(?:i|we)\s+(?:ran|run|did|executed|started|kicked off)$",
        "show my last runs",
    ),
    (
        r"^(?:have|make|let)\s+(the\s+\S+\s+step|step\s+\d+)(\s+of\s+.+?)?\s+(?:run|execute|call|do)\s+(.+)$",
        "change $1$2 to run $3",
    ),
    (r"^(?:what|which \w+) (?:failed|broke|went wrong)\b.* and why$", "what failed and why"),
    (r"^how (did|has) (.+?) (?:do|go|done|gone|been)(?: the)? (?:last time|this time|most recently)$", "how $1 $2 do"),
    (
        r"^(?:cancel|stop|remove|delete|turn off|disable|pause|drop|kill|clear|end) (?:the\s+|my\s+)?(?:[a-z]+ly\s+|morning\s+|evening\s+|weekday\s+|weekend\s+)?(.+?)(?:'s)? schedules?$",
        "cancel $1 schedule",
    ),
    (r"^what's (?:inside|in) (?:the\s+)?(.+)$", "show $1"),
    (r"^did anything (?:fail|break)(?:\s+(.+))?$", "what failed $1"),
    (
        r"^(?:show|list|see)(?: me)?(?: the)? (?:previous|old|older|earlier|past|all) versions (?:of|for) (.+)$",
        "versions of $1",
    ),
    (
        r"^(?:what do i have|what have i got|what's there|what is there|what ones do i have|what ones are there)(?: in here| here| in there| saved)?$",
        "what do i have",
    ),
    (r"^explain what happened(?: to| with)?\s+(.+)$", "what happened to $1"),
    (
        r"^(?:remind me|tell me) what (?:workflows|ones) (?:i have|i've got|there are|i saved|are saved)$",
        "what do i have",
    ),
    (r"^what've i got(?: saved| here)?$", "what do i have"),
    (
        r"^(?:has|have|is) (.+?) been (?:running|working|doing|going) (?:ok|okay|well|fine|alright|all right)(?: lately| recently)?$",
        "how has $1 been doing",
    ),
    (r"^put (.+?) on (?:a|the) schedule,?(?: for)? (.+)$", "schedule $1 $2"),
    (
        r"^i (?:don't|do not|no longer) want (.+?) (?:scheduled|to run automatically|running automatically|on a schedule|to run on a schedule)(?: any ?more)?$",
        "unschedule $1",
    ),
    (r"^what (?:made|caused) (.+?) (?:to )?(?:fail|break|crash|error out|stop working)$", "why did $1 fail"),
    (
        r"^why (?:has|have|is|are) (.+?) (?:been )?(?:failing|breaking|crashing|erroring)(?: lately| recently| so much)?$",
        "why did $1 fail",
    ),
    (r"^(?:show me |show |tell me )?what (?:the\s+)?(.+?) (?:printed|output|said|wrote|logged)$", "logs for $1"),
    (
        r"^(?:stop|cancel|remove|delete|turn off|disable|kill|drop|clear) (?:the\s+)?(?:[a-z]+ly\s+|daily\s+)?schedules? (?:for|of|on|from) (.+)$",
        "unschedule $1",
    ),
    (r"^(?:show|list|give)(?: me)?(?: the)? (?:last|latest|recent|previous)(?: [a-z0-9]+)? runs$", "show run history"),
    (
        r"^(?:show me|show|list|give me|see) everything i(?:'ve| have)?\s*(?:saved|got|made|stored|created)$",
        "what have i saved",
    ),
    (r"^change\s+(.+?)\s+(?:to|so it|so that it|so it'll)\s+(.+)$", "make $1 $2"),
    (r"^(?:what's|what is|show me|show) the difference between (?:the )?versions of (.+?)\??$", "versions of $1"),
    (r"^(?:what|which) changed (?:in|between the versions of) (.+?)\??$", "versions of $1"),
    (
        r"^when (?:is|will) (?:the\s+)?(.+?) (?:running|run|going to run|scheduled to run|due to run)(?: next)?\??$",
        "when does $1 run next",
    ),
    (r"^(?:who (?:made|built|wrote|created|designed) you|who's your (?:maker|creator|author))\??$", "who are you"),
    (r"^why did (?:the\s+)?(?:step\s+(\S+)|(\S+) step) fail\??$", "why did it fail"),
    (r"^(?:walk|take|talk) me through\s+(?:the\s+)?(.+?)(?:\s+workflow)?$", "show $1"),
    (r"^(?:go through|run through|through)\s+(?:the\s+)?(.+?)(?:\s+workflow)?\s+with me$", "show $1"),
    (
        r"^(?:do i have|have i got|is there|are there|got)\s+(?:anything|something|a workflow|any workflows?|workflows?)\s+(?:for|about|that does|that handles|to do|to handle)\s+(.+)$",
        "find $1 workflows",
    ),
    (r"^same (?:again|thing|as before|as last time),?\s+(?:but\s+)?(?:with\s+)?(.+)$", "again with $1"),
    (
        r"^(?:check|validate|lint|verify)\s+(?:my|the|this|that|a)\s+(?:workflow\s+)?file\s+(?:at|in|called|named)\s+(\S+\.(?:ya?ml|json))$",
        "validate $1",
    ),
    (
        r"^(?:go back|back|revert|return|switch back|restore)\s+(?:to\s+)?(?:the\s+)?(?:previous|last|prior|earlier|old|older)\s+version\s+(?:of|for)\s+(.+)$",
        "roll back $1",
    ),
    (
        r"^(?:revert|restore)\s+(?:the\s+|my\s+)?(?:(?:last|latest|most recent)\s+)?(?:(?:change|changes|edit|edits)\s+(?:to|of|on)\s+)?(?:the\s+|my\s+)?(.+?)(?: workflow)?$",
        "roll back $1",
    ),
    // "undo that" alone may mean the last thing said, not the last edit: only an edit is undone.
    (
        r"^undo\s+(?:the\s+|my\s+)?(?:(?:last|latest|most recent)\s+)?(?:change|changes|edit|edits)\s+(?:to|of|on)\s+(?:the\s+|my\s+)?(.+?)(?: workflow)?$",
        "roll back $1",
    ),
    (
        r"^(?:show|list|see|give|get)?(?: me)?\s*(?:the\s+)?(?:version history|versions list|list of versions) (?:of|for) (.+)$",
        "versions of $1",
    ),
    (r"^how many versions (?:does|do|of) (?:the\s+)?(.+?)(?: have| has| exist| are there)?$", "versions of $1"),
    (
        r"^(?:go back|revert|roll back|restore|switch back|return|reset)\s+(?:to\s+)?(?:version\s+|v)(\d+(?:\.\d+){0,2})\s+(?:of|for)\s+(?:the\s+)?(.+)$",
        "roll back $2 to $1",
    ),
    (
        r"^(?:go back|revert|roll back|restore|switch back|return|reset)\s+(?:the\s+)?(.+?)\s+(?:back\s+)?to\s+(?:version\s+|v)(\d+(?:\.\d+){0,2})$",
        "roll back $1 to $2",
    ),
    (r"^same,?\s+but\s+(?:with\s+)?(.+)$", "again with $1"),
    (
        r"^(?:show me |show |list |any )?(?:the\s+)?(?:recent|latest|last)\s+(?:failures|failed runs|errors) (?:of|for|in) (.+)$",
        "failed runs of $1 this week",
    ),
    (
        r"^(?:what's|what is|show me|show|give me|print|see)?\s*(?:the\s+)?(?:definition|yaml|json|source|contents|content) (?:of|for) (.+)$",
        "show $1",
    ),
    (
        r"^(?:stop|cancel|disable|turn off|pause|end|halt) (?:the\s+|my\s+)?(?:nightly|daily|hourly|weekly|monthly|weekday|weekend|morning|evening) (.+?)(?: runs?)?$",
        "cancel $1 schedule",
    ),
    (r"^(?:show|show me|what's|what is|check|give me|get)?\s*(?:the\s+)?(?:current\s+)?status$", "show run history"),
    (
        r"^(?:show|show me|check|give me|get)?\s*(?:the\s+)?(?:current\s+)?status (?:of|for|on) (?:the\s+|my\s+)?(.+)$",
        "how did $1 do",
    ),
    (
        r"^(?:is|has) (?:the\s+|my\s+)?(.+?) (?:still )?(?:running|done|finished|complete|completed|succeeded|passed)(?: yet| now| today)?$",
        "how did $1 do",
    ),
    // "is it done": the run talked about, as "did it work" says.
    (r"^how did (?:it|that|this) do$", "did it work"),
    (r"^(?:print|display|dump|cat|output|fetch|get)\s+(?:me\s+)?(?:the\s+)?(logs?|output)\b(.*)$", "show the $1$2"),
    (r"^(?:show me|tell me|show|list)\s+(what(?:'s| is) (?:scheduled|coming up|planned)\b.*)$", "$1"),
    (r"^(?:the\s+)?(?:next|upcoming|planned|future)\s+(?:scheduled\s+)?(?:runs?|jobs?)$", "what's scheduled"),
    (
        r"^what does (?:the\s+|my\s+)?(.+?) (?:check|contain|include|consist of|test|monitor|watch|run|execute|back up|handle|cover)$",
        "what does $1 do",
    ),
    // Last, "yo, backup time: run nightly backup": chatter before the command.
    (r"^[a-z' ,!]{1,40}?[,:;]\s+(\S.*)$", "$1"),
    (
        r"^(?:what can i say(?: to you)?|what can i ask(?: you)?|what do you understand|what commands do you know)$",
        "help",
    ),
];

/// "backup files logs", "email digest's versions": the noun after the name. Tried only on a line
/// no other shape changed ("stop email digest schedule" is said as an unschedule first).
const NOUN_LAST_PATTERNS: &[(&str, &str)] = &[
    (r"^(?:the\s+)?(.+?)(?:'s)?\s+(?:logs?|output)$", "logs of $1"),
    (r"^(?:the\s+)?(.+?)(?:'s)?\s+versions$", "versions of $1"),
    (r"^(?:the\s+)?(.+?)(?:'s)?\s+schedules?$", "schedules for $1"),
];

/// [`NOUN_LAST_PATTERNS`] compiled once.
static NOUN_LAST: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    NOUN_LAST_PATTERNS.iter().filter_map(|(pattern, to)| Regex::new(pattern).ok().map(|re| (re, *to))).collect()
});

/// [`SHAPE_PATTERNS`] compiled once.
static SHAPES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    SHAPE_PATTERNS.iter().filter_map(|(pattern, to)| Regex::new(pattern).ok().map(|re| (re, *to))).collect()
});

/// Shapes that another rule would misread ("automate X every night" is not a request to create
/// one when X is saved): tried before the rules, and taken only when the rewritten line reads as
/// a command on a saved workflow.
const EARLY_PATTERNS: &[&str] = &[
    r"^automate\s",
    r"^(?:stop|quit) running\s",
    r"^(?:what broke|what's broken|what is broken|what blew up|what went bad)$",
    r"^how did (?:the last run|my last run|the run|that|it) go$",
    r"(?:history of changes|change history|edit history|revision history)\s",
    r"^explain what happened",
    r"^(?:stop|cancel|remove|delete|turn off|disable|kill|drop|clear) (?:the\s+)?(?:[a-z]+ly\s+|daily\s+)?schedules? ",
    r"^(?:show|list|give)(?: me)?(?: the)? (?:last|latest|recent|previous)(?: [a-z0-9]+)? runs$",
    r"^how does .+ work$",
    r"^what are the (?:steps|parameters|params|inputs|options) (?:of|in|for) .+$",
    r"^can .+ (?:run|go) (?:every|each|at|on|daily|nightly|hourly|weekly) .+$",
    r"^for .+ (?:run|start) it$",
    r"^(?:make|let|have) .+ (?:happen|go)(?: now)?$",
    r"^(?:go ahead|proceed|go on|carry on) with .+$",
    r"^(?:no longer|never) (?:schedule|run) .+$",
    r"^(?:stop|cancel|disable|turn off|pause|end) (?:the\s+)?(?:automatic|scheduled|recurring) .+$",
    r"^(?:kick|fire|start|set) .+ off\b",
    r"^i need .+ (?:run|ran|to run|to be run)\b",
    r"^(?:stop|prevent|keep) .+ from running\b",
    r"^i (?:don't|do not) (?:need|want|use) .+ (?:delete|remove|drop) it$",
    r"^what (?:parameters|params|inputs|arguments|options|values) does .+$",
    r"^what versions (?:does|do|of) .+$",
    r"^explain why .+$",
    r"^what (?:broke|went wrong|blew up) (?:in|with|on|for) .+$",
    r"^how (?:did|has) .+ (?:last time|this time|most recently)$",
    r"^put .+ on (?:a|the) schedule",
    r"^why (?:has|have|is|are) .+ (?:been )?(?:failing|breaking|crashing|erroring)",
    r"^(?:stop|cancel|disable|turn off|pause|end|halt) (?:the\s+|my\s+)?(?:nightly|daily|hourly|weekly|monthly|weekday|weekend|morning|evening) ",
    r"^(?:show|show me|check|give me|get)?\s*(?:the\s+)?(?:current\s+)?status\b",
    r"^(?:what's|what is)\s+(?:the\s+)?(?:current\s+)?status$",
    r"^(?:is|has) .+ (?:still )?(?:running|done|finished|complete|completed|succeeded|passed)(?: yet| now| today)?$",
];

/// "would you mind showing me X": the courtesy goes, the verb's -ing stays. A line that starts
/// so is an early shape (a command only on a saved name: "running late today" is not one).
const GERUNDS: &[(&str, &str)] = &[
    ("showing", "show"),
    ("running", "run"),
    ("listing", "list"),
    ("deleting", "delete"),
    ("scheduling", "schedule"),
    ("editing", "edit"),
    ("exporting", "export"),
    ("starting", "start"),
    ("kicking off", "kick off"),
    ("validating", "validate"),
];

/// `line` with its leading -ing form said as the verb ("showing me X" → "show me X").
fn as_verb(line: &str) -> Option<String> {
    GERUNDS
        .iter()
        .find_map(|(gerund, verb)| {
            let rest = line.strip_prefix(gerund)?.strip_prefix(' ')?;
            (!rest.is_empty()).then(|| format!("{verb} {rest}"))
        })
        .or_else(|| misspelt_gerund(line))
}

/// "sceduling X daily at 7", "runing X": a one-word -ing form spelt one letter off (two in a long
/// word) is that verb.
fn misspelt_gerund(line: &str) -> Option<String> {
    let (first, rest) = line.split_once(' ')?;
    if first.len() < 6 || !first.ends_with("ing") || rest.trim().is_empty() {
        return None;
    }
    let allowed = if first.len() >= 9 { 2 } else { 1 };
    GERUNDS
        .iter()
        .filter(|(gerund, _)| !gerund.contains(' '))
        .find(|(gerund, _)| strsim::damerau_levenshtein(first, gerund) <= allowed)
        .map(|(_, verb)| format!("{verb} {rest}"))
}

/// [`EARLY_PATTERNS`] compiled once.
static EARLY: LazyLock<Vec<Regex>> =
    LazyLock::new(|| EARLY_PATTERNS.iter().filter_map(|p| Regex::new(p).ok()).collect());

/// Whether a line has one of the early shapes: read in other words, it counts only as a command
/// on a saved workflow, whenever it is read so.
pub(crate) fn is_early(lower: &str) -> bool {
    let trimmed = lower.trim().trim_end_matches(['?', '!', '.']).trim();
    EARLY.iter().any(|re| re.is_match(trimmed)) || as_verb(trimmed).is_some()
}

/// [`paraphrase`] for the lines to read in other words before the rules.
pub(crate) fn early(lower: &str) -> Option<String> {
    is_early(lower).then(|| paraphrase(lower)).flatten()
}

/// A misspelt command noun ("wokflows", "shedules", "tempaltes") as it is spelt.
fn corrected_noun(word: &str) -> Option<&'static str> {
    const NOUNS: &[&str] = &["workflows", "workflow", "schedules", "schedule", "templates", "template", "history"];
    // "scheduled", "scheduler", "templating": other words, not misspellings.
    let other_word = ["ed", "er", "ing", "ly", "al"].iter().any(|ending| word.ends_with(ending));
    if word.len() < 6 || NOUNS.contains(&word) || other_word {
        return None;
    }
    // "unschedule" holds "schedule": a word of its own, not a misspelling.
    NOUNS.iter().copied().find(|noun| {
        !word.contains(noun) && strsim::damerau_levenshtein(word, noun) <= if noun.len() >= 8 { 2 } else { 1 }
    })
}

/// The line in the rules' words, when that changes it.
pub(crate) fn paraphrase(lower: &str) -> Option<String> {
    let lower = lower.trim().trim_end_matches(['?', '!', '.']).trim();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    for word in &mut words {
        if let Some((_, to)) = WORDS.iter().find(|(from, _)| from == word) {
            *word = to;
        }
    }
    let nouns: Vec<String> = words.iter().map(|w| corrected_noun(w).unwrap_or(w).to_string()).collect();
    let mut line = nouns.join(" ");
    let in_words = line.clone();
    if let Some(said) = as_verb(&line) {
        line = said;
    }
    for (shape, to) in SHAPES.iter() {
        if shape.is_match(&line) {
            line = shape.replace(&line, *to).trim().to_string();
        }
    }
    if line == in_words
        && let Some((shape, to)) = NOUN_LAST.iter().find(|(shape, _)| shape.is_match(&line))
    {
        line = shape.replace(&line, *to).trim().to_string();
    }
    (line != lower).then_some(line)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_shape_compiles() {
        assert_eq!(super::SHAPES.len(), super::SHAPE_PATTERNS.len(), "a shape's pattern is invalid");
        assert_eq!(super::NOUN_LAST.len(), super::NOUN_LAST_PATTERNS.len(), "a noun-last pattern is invalid");
        assert_eq!(super::EARLY.len(), super::EARLY_PATTERNS.len(), "an early pattern is invalid");
    }

    #[test]
    fn lines_are_said_in_the_rules_words() {
        for (line, said) in [
            ("show the last ten runs", "show run history"),
            ("remove the schedule from repo check", "unschedule repo check"),
            ("let me see the logs", "show me the logs"),
            ("i need the nightly backup to run right now", "run nightly backup"),
            ("what's the next scheduled run", "what's scheduled"),
            ("unschedule everything for backup files", "unschedule backup files"),
            ("tell me what went wrong with the backup", "what went wrong with the backup"),
        ] {
            assert_eq!(super::paraphrase(line).as_deref(), Some(said), "{line}");
        }
        assert_eq!(super::early("show the last ten runs").as_deref(), Some("show run history"));
        assert_eq!(super::paraphrase("run deploy"), None, "a line already in the rules' words stays");
    }
}
