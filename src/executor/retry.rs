//! Retry policy arithmetic (design.md §2): waits between attempts and which failures qualify.

use std::time::Duration;

use crate::tools::Failure;
use crate::workflow::{Backoff, Retry, RetryOn};

/// The wait before attempt `attempt + 1`, after `attempt` failures.
pub fn delay(policy: &Retry, attempt: u32) -> Duration {
    let base = policy.delay.get();
    let computed = match policy.backoff {
        Backoff::Fixed => base,
        Backoff::Linear => base.saturating_mul(attempt),
        Backoff::Exponential => base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1))),
    };
    let capped = match policy.max_delay {
        Some(max) => computed.min(max.get()),
        None => computed,
    };
    if policy.jitter { capped.mul_f64(fastrand::f64()) } else { capped }
}

/// Whether `failure` may be retried under `policy.retry_on` (everything when it is empty).
pub fn applies(policy: &Retry, failure: &Failure) -> bool {
    policy.retry_on.is_empty()
        || policy.retry_on.iter().any(|condition| match condition {
            RetryOn::ExitCode(code) => failure.exit_code == Some(*code),
            RetryOn::Kind(kind) => failure.kind == Some(*kind),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::HumanDuration;

    #[test]
    fn waits_follow_the_backoff() {
        let policy = |backoff, max: Option<u64>| Retry {
            backoff,
            delay: HumanDuration::from_secs(1),
            max_delay: max.map(HumanDuration::from_secs),
            ..Retry::default()
        };
        let cases = [
            (Backoff::Fixed, None, [1, 1, 1, 1]),
            (Backoff::Linear, None, [1, 2, 3, 4]),
            (Backoff::Exponential, None, [1, 2, 4, 8]),
            (Backoff::Exponential, Some(5), [1, 2, 4, 5]),
        ];
        for (backoff, max, expected) in cases {
            let waits: Vec<u64> = (1..=4).map(|n| delay(&policy(backoff, max), n).as_secs()).collect();
            assert_eq!(waits, expected, "{backoff:?} {max:?}");
        }
        let jittered = Retry { jitter: true, ..policy(Backoff::Fixed, None) };
        for n in 1..20 {
            assert!(delay(&jittered, n) <= Duration::from_secs(1));
        }
    }
}
