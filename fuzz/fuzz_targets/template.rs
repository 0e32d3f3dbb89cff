//! `{{ }}` templates and `if:` conditions: rendering any text in every escape mode, compiling it
//! as a condition and listing its references never panics or hangs (fuel and recursion limits).
#![no_main]

use alpha::template::{Escape, condition_expression, environment, references};
use libfuzzer_sys::fuzz_target;
use minijinja::context;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ctx = context! {
        branch => "main; rm -rf /",
        params => context! { branch => "main" },
        test => context! { output => "ok", exit_code => 0, status => "success", json => context! { items => vec![1, 2, 3] } },
        env => context! { HOME => "/home/ann" },
    };
    for escape in [Escape::None, Escape::Shell, Escape::Path] {
        let env = environment(escape);
        let _ = env.render_str(text, ctx.clone());
        let _ = references(&env, text, false);
        let _ = references(&env, text, true);
        if let Ok(expression) = env.compile_expression(condition_expression(text)) {
            let _ = expression.eval(ctx.clone());
        }
    }
});
