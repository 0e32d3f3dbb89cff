//! Help, quit and other one-phrase intents.

use super::super::*;

pub(crate) fn simple(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    let quit = ["quit", "exit", "bye", "goodbye", "q", ":q", "see you", "good bye", "close", "stop talking"];
    let help = [
        "help",
        "h",
        "?",
        "what can you do",
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
    ];
    if quit.contains(&lower) {
        Some(Intent::Quit)
    } else if help.contains(&lower) {
        Some(Intent::Help)
    } else if suggest.contains(&lower) {
        Some(Intent::Suggest)
    } else {
        None
    }
}
