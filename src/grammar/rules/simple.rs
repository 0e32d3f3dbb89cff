//! Help, quit and other one-phrase intents.

use super::super::*;

/// Asking for help in words that are courtesy elsewhere ("help me out"), read before those words
/// are stripped.
pub(crate) fn help_in_courtesy_words(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    let line = lower.trim().trim_end_matches(['.', '!', '?']).trim();
    matches!(
        line,
        "help me out"
            | "can you help me out"
            | "please help me out"
            | "help me out here"
            | "help me please"
            | "please help me"
    )
    .then_some(Intent::Help)
}

pub(crate) fn simple(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    let quit = [
        "catch you later",
        "see you later",
        "ttyl",
        "cya",
        "quit",
        "exit",
        "bye",
        "goodbye",
        "good night",
        "goodnight",
        "night night",
        "night",
        "see ya later",
        "catch you later",
        "q",
        ":q",
        "see you",
        "good bye",
        "close",
        "stop talking",
        "bye alpha",
        "goodbye alpha",
        "bye bye",
        "see ya",
        "see you later",
        "i'm leaving",
        "log off",
        "i'm off",
        "i'm out",
        "gotta go",
        "got to go",
        "i have to go",
        "that's it for today",
        "bye for now",
        "exit the chat",
        "close this",
        "close the chat",
        "quit the chat",
        "leave the chat",
        "i'm leaving now",
        "i'm going now",
    ];
    let help = [
        "help",
        "h",
        "?",
        "what can you do",
        "what is this",
        "what's this",
        "what is this thing",
        "what do you do",
        "explain what you do",
        "can you explain what you do",
        "tell me what you do",
        "tell me what you can do",
        "what do you do",
        "how does this work",
        "how do i use this",
        "commands",
        "show commands",
        "show help",
        "help me",
        "what are the commands",
        "usage",
        "menu",
        "what commands are there",
        "what commands do you have",
        "what can i say",
        "what can i ask",
        "what can i ask you",
        "what can you help me with",
        "what can i do here",
        "what can i do",
        "what can you help with",
        "what are my options",
        "what do i do now",
        "what do i do",
        "what now",
        "i don't know what to do",
        "i do not know what to do",
        "what should i do",
        "how do you work",
        "what can this do",
        "what can this thing do",
        "what can alpha do",
        "instructions",
        "show me how",
        "what are the options",
        "what options do i have",
        "where do i start",
        "how do i start",
        "getting started",
        "how can you help",
        "how can you help me",
        "what can you do for me",
        "what is a workflow",
        "what's a workflow",
        "what are workflows",
        "what does alpha do",
        "what is alpha",
        "what's alpha",
        "explain what alpha does",
        "how do i use you",
        "how does alpha work",
    ];
    let suggest = [
        "suggest",
        "suggestions",
        "any suggestions",
        "show suggestions",
        "suggest workflows",
        "suggest something",
        "what should i automate",
        "what can i automate",
        "what could i automate",
        "what do i repeat",
        "what do i keep doing",
        "find patterns",
        "any ideas",
        "give me suggestions",
        "recommend workflows",
        "recommend something",
        "show me suggestions",
        "do you have any suggestions",
        "suggest some workflows",
        "suggest a workflow",
        "what have i been doing repeatedly",
        "what do i do most often",
        "what do i do a lot",
        "what do i keep repeating",
        "what could be automated",
        "what should be automated",
        "any ideas what i could automate",
        "any ideas what to automate",
        "what else could i automate",
        "what do i keep doing by hand",
        "what do i do by hand",
        "what do i keep typing",
        "what do i type a lot",
        "what commands do i repeat",
        "what do i run a lot",
        "anything worth automating",
        "is there anything worth automating",
        "what could you automate for me",
        "what did i run most often",
        "what did i run most often in my shell",
        "what do i run most often",
        "what do i run most often in my shell",
        "what do i type most often",
        "what commands do i run most",
        "what do i keep running",
        "anything i should automate",
        "is there anything i should automate",
        "what should i automate next",
        "anything to automate",
        "got any suggestions",
        "have any suggestions",
        "any suggestions for me",
        "got any ideas",
        "got ideas for automation",
        "any ideas for automation",
        "ideas for automation",
        "ideas for automations",
    ];
    if quit.contains(&lower) || courteous_goodbye(lower, &quit) {
        Some(Intent::Quit)
    } else if help.contains(&lower) || how_do_i(lower) {
        Some(Intent::Help)
    } else if suggest.contains(&lower) || suggests_from_history(lower) {
        Some(Intent::Suggest)
    } else if wants_dashboard(lower) {
        Some(Intent::Dashboard)
    } else {
        None
    }
}

/// "look at my shell history and suggest workflows", "suggest workflows from my history".
fn suggests_from_history(lower: &str) -> bool {
    static FROM_HISTORY: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:look at|check|scan|go through|read|analy[sz]e|use|search|mine)\s+(?:my\s+|the\s+)?(?:shell\s+|command\s+|bash\s+|zsh\s+|fish\s+|terminal\s+)?history\s+(?:and|to)\s+(?:suggest|recommend|propose|find)\b.*",
            r"(?:suggest|recommend|propose|find)\s+(?:some\s+|me\s+)?(?:workflows?|automations?|things to automate|patterns)\s+(?:from|based on|in)\s+(?:my\s+|the\s+)?(?:shell\s+|command\s+|bash\s+|zsh\s+)?history",
            // "look at my shell history": the shell's, not the runs' ("check my run history" is history).
            r"(?:look at|check|scan|go through|read|analy[sz]e|mine|learn from|study)\s+(?:my\s+|the\s+)?(?:shell|command|bash|zsh|fish|terminal)\s+history(?:\s+(?:please|for me|for patterns|for ideas))?",
            // "what do I do over and over", "what am I always typing": what the miner looks for.
            r"what\s+(?:do|did|have)\s+i\s+(?:do|type|run|repeat|been doing|been typing|been running)\s+(?:over and over(?: again)?|again and again|all the time|every day|repeatedly|so often|a lot|most)",
            r"what\s+am\s+i\s+(?:(?:always|constantly|repeatedly)\s+(?:doing|typing|running|repeating)|repeating|doing over and over(?: again)?)",
            r"what\s+(?:commands|things)\s+do\s+i\s+(?:repeat|keep (?:typing|running|doing)|run (?:the )?most|type (?:the )?most)",
        ])
    });
    FROM_HISTORY.iter().any(|shape| shape.is_match(lower.trim_end_matches(['.', '!', '?'])))
}

/// "ok thanks, bye", "great, thank you, see you later": a farewell after courtesy words.
fn courteous_goodbye(lower: &str, farewells: &[&str]) -> bool {
    const COURTESY: &[&str] = &[
        "ok", "okay", "thanks", "thank", "you", "great", "cool", "alright", "all", "right", "perfect", "nice", "so",
        "well", "that's", "all", "then",
    ];
    let line = lower.trim_end_matches(['.', '!', '?']);
    farewells.iter().filter(|f| f.len() > 2).any(|farewell| {
        line.strip_suffix(farewell).is_some_and(|head| {
            let words: Vec<&str> =
                head.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
            !words.is_empty() && words.iter().all(|w| COURTESY.contains(w))
        })
    })
}

/// "how do I schedule something?", "how do I create a workflow?": a question about alpha itself.
fn how_do_i(lower: &str) -> bool {
    let Some(rest) = lower.strip_prefix("how do i ").or_else(|| lower.strip_prefix("how can i ")) else {
        return false;
    };
    let about_alpha = [
        "schedule",
        "create",
        "make a workflow",
        "run",
        "delete",
        "edit",
        "use",
        "save",
        "export",
        "import",
        "see",
        "list",
        "add",
        "undo",
        "stop",
        "change",
    ];
    let Some(verb) = about_alpha.iter().find(|w| rest.starts_with(*w)) else { return false };
    // "how do I delete a file in linux" is a question, but not about alpha: what follows the
    // verb must be short or name one of alpha's things.
    const ALPHA_THINGS: &[&str] = &[
        "workflow",
        "workflows",
        "schedule",
        "schedules",
        "run",
        "runs",
        "step",
        "steps",
        "template",
        "templates",
        "parameter",
        "parameters",
        "history",
        "alpha",
        "job",
        "jobs",
        "task",
        "tasks",
        "it",
        "one",
        "something",
        "things",
        "stuff",
        "this",
        "that",
        "them",
        "automation",
        "automations",
        "version",
        "versions",
        "suggestion",
        "suggestions",
        "dashboard",
    ];
    let object: Vec<&str> = rest[verb.len()..].split_whitespace().collect();
    // "how do I run faster", "how can I delete better": how to do something well, in the world.
    const MANNER: &[&str] = &["faster", "better", "quicker", "slower", "longer", "harder", "well", "more", "less"];
    if object.iter().any(|w| MANNER.contains(&w.trim_matches(['?', '.', '!', ',']))) {
        return false;
    }
    let about_alpha_things = object.iter().any(|w| ALPHA_THINGS.contains(&w.trim_matches(['?', '.', '!', ','])));
    rest.split_whitespace().count() <= 6 && (object.len() <= 2 || about_alpha_things)
}

/// "open the dashboard", "is there a web ui?", "show it in the browser".
fn wants_dashboard(lower: &str) -> bool {
    let lower = lower.trim_end_matches(['?', '!', '.']);
    let things = ["dashboard", "web ui", "web interface", "web page", "webpage", "browser", "web app", "gui"];
    let Some(thing) = things.iter().find(|t| lower.contains(*t)) else { return false };
    let openers = [
        "open",
        "show",
        "start",
        "launch",
        "serve",
        "run",
        "bring up",
        "pull up",
        "give me",
        "is there",
        "do you have",
        "can i",
        "can you",
        "where is",
        "where's",
        "how do i",
        "see",
    ];
    let rest = lower.replace(thing, "");
    let rest = rest.trim();
    // Just the thing ("dashboard", "the web ui"), or an opener before it.
    rest.is_empty()
        || rest == "the"
        || rest == "a"
        || openers.iter().any(|o| lower.starts_with(o))
            && !lower.contains("history")
            && lower.split_whitespace().count() <= 9
}
