//! Whether a sequence repeats more often than chance would make it (design.md §6b).
//!
//! Two commands that are each common end up next to each other now and then. The test asks how
//! likely the observed count is if the parts were independent: with `a` and `b` occurring
//! `n_a ≤ n_b` times among `n` positions, each of the `n_a` occurrences of the rarer part meets
//! the other with probability `p = n_b / n`, and chance alone gives `k` or more meetings with the
//! binomial tail probability `P(X ≥ k; n_a, p)`. A sequence qualifies only when that probability
//! is tiny for every way of cutting it in two (so a chance neighbour is not glued onto a real
//! routine), with a Bonferroni correction for how many sequences could have been tested:
//! `α / V²` for a pair and `α / V` for each further cut, where `V` is the number of distinct
//! commands; a longer sequence must also beat the Poisson tail of its commands' joint frequency
//! at `α / V^length`.
//!
//! Beyond chance is not enough for a neighbour to be part of a routine: it must also go with it.
//! At every cut, the rarer side must be joined by the other at least [`TOGETHER`] of the times
//! it occurs, so a command that follows a routine four times out of six is not made a step of
//! it, while `git status` — common everywhere — still starts a routine it always starts.

/// The family-wise error rate the correction keeps: at most this chance that noise alone gives
/// a suggestion.
pub const ALPHA: f64 = 0.01;

/// `ln P(X ≥ k)` for a Poisson variable with mean `lambda`.
pub fn log_tail(k: usize, lambda: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if (k as f64) <= lambda {
        // The bulk of the distribution: not significant whatever the exact value.
        return 0.0_f64.min((1.0 - lower_cdf(k, lambda)).max(f64::MIN_POSITIVE).ln());
    }
    // Terms fall geometrically above the mean: sum from k until they stop mattering.
    let mut log_term = k as f64 * lambda.ln() - lambda - ln_factorial(k);
    let mut total = 0.0_f64;
    let first = log_term;
    let mut i = k;
    loop {
        total += (log_term - first).exp();
        i += 1;
        log_term += lambda.ln() - (i as f64).ln();
        if log_term - first < -40.0 || i > k + 10_000 {
            break;
        }
    }
    first + total.ln()
}

fn lower_cdf(k: usize, lambda: f64) -> f64 {
    let mut term = (-lambda).exp();
    let mut sum = 0.0;
    for i in 0..k {
        sum += term;
        term *= lambda / (i + 1) as f64;
    }
    sum.min(1.0)
}

fn ln_factorial(n: usize) -> f64 {
    if n < 20 {
        (2..=n).map(|i| (i as f64).ln()).sum()
    } else {
        // Stirling with its first correction: exact to well below what the test needs.
        let n = n as f64;
        n * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI * n).ln() + 1.0 / (12.0 * n)
    }
}

/// Whether `observed` adjacent occurrences of two parts occurring `left` and `right` times among
/// `positions` are beyond chance at level `ln_level` (a natural log of a probability).
pub fn beyond_chance(observed: usize, left: usize, right: usize, positions: usize, ln_level: f64) -> bool {
    let trials = left.min(right).max(observed);
    let p = (left.max(right) as f64 / positions.max(MIN_POSITIONS) as f64).min(1.0);
    observed as f64 > trials as f64 * p && log_binomial_tail(observed, trials, p) < ln_level
}

/// `ln P(X ≥ k)` for a binomial variable of `n` trials with success probability `p`.
pub fn log_binomial_tail(k: usize, n: usize, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if k > n || p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return 0.0;
    }
    let (ln_p, ln_q) = (p.ln(), (1.0 - p).ln());
    let ln_n = ln_factorial(n);
    let term = |i: usize| ln_n - ln_factorial(i) - ln_factorial(n - i) + i as f64 * ln_p + (n - i) as f64 * ln_q;
    let first = term(k);
    let mut total = 0.0_f64;
    for i in k..=n {
        let t = term(i) - first;
        total += t.exp();
        if t < -40.0 && i as f64 > n as f64 * p {
            break;
        }
    }
    (first + total.ln()).min(0.0)
}

/// A history shorter than this is taken as a sample of one this long, the rest of which is
/// other commands: five `git status`, `git pull`, `pytest` in a fifteen-line history say
/// little about how common those commands are, and without the floor nothing in a short
/// history could ever be beyond chance.
pub const MIN_POSITIONS: usize = 1_000;

/// `ln` of the chance that some command, drawn with the history's own frequencies, meets
/// `trials` occurrences of a routine at least `observed` times: the exact null for "this command
/// belongs to the routine", since the one that does is whichever follows most.
pub fn some_command_as_often(observed: usize, trials: usize, frequencies: &[usize], positions: usize) -> f64 {
    let positions = positions.max(MIN_POSITIONS) as f64;
    let mut total = f64::NEG_INFINITY;
    for &n in frequencies {
        let term = log_binomial_tail(observed, trials, n as f64 / positions);
        total = if total == f64::NEG_INFINITY { term } else { total.max(term) + (-(total - term).abs()).exp().ln_1p() };
    }
    total.min(0.0)
}

/// The share of the rarer side's occurrences the two sides of a cut must share.
pub const TOGETHER: f64 = 0.75;

/// Whether `observed` meetings are most of the rarer side's `left.min(right)` occurrences.
pub fn together(observed: usize, left: usize, right: usize) -> bool {
    observed as f64 >= TOGETHER * left.min(right) as f64
}

/// Whether two commands seen `left` and `right` times follow each other `observed` times far
/// more often than chance would have them (at least twice as often): the pairs a routine can
/// grow through. Loose on purpose: a routine's step can share its shape with other commands
/// (`docker compose build` with `docker compose ps`), and the real test comes after; random
/// neighbours meet about as often as chance says, so noise doesn't grow.
pub fn linked(observed: usize, left: usize, right: usize, positions: usize) -> bool {
    let positions = positions.max(MIN_POSITIONS);
    let expected = left as f64 * right as f64 / positions as f64;
    observed as f64 >= 2.0 * expected
}

/// `ln(α / V^power)`: the level one test must reach.
pub fn level(distinct: usize, power: i32) -> f64 {
    ALPHA.ln() - f64::from(power) * (distinct.max(2) as f64).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tail_matches_known_values() {
        // P(X >= 3; 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125) = 0.014388
        assert!((log_tail(3, 0.5).exp() - 0.014_388).abs() < 1e-5);
        // P(X >= 1; 2) = 1 - e^-2
        assert!((log_tail(1, 2.0).exp() - (1.0 - (-2.0f64).exp())).abs() < 1e-9);
        assert!(log_tail(30, 0.01) < -150.0);
        // P(X >= 2; 3, 0.5) = 0.5
        assert!((log_binomial_tail(2, 3, 0.5).exp() - 0.5).abs() < 1e-9);
        // P(X >= 4; 4, 0.05) = 0.05^4
        assert!((log_binomial_tail(4, 4, 0.05).exp() - 6.25e-6).abs() < 1e-10);
    }

    #[test]
    fn chance_adjacency_of_common_commands_is_not_significant() {
        // Two commands seen 100 times each in 2,000 lines meet about 5 times by chance.
        assert!(!beyond_chance(9, 100, 100, 2_000, level(80, 2)));
        // A rare pair seen three times together is.
        assert!(beyond_chance(3, 3, 3, 2_000, level(80, 2)));
    }
}
