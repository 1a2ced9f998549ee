//! How fast a count goes up, and when it will reach its total: the feature extraction's
//! images per second and time left, from the engine's progress events (which come at their
//! own pace). The rate is over the last [`WINDOW_MS`], so it follows a change of pace (a
//! deeper freeze depth, another tab taking the CPU) within seconds.

use std::collections::VecDeque;

/// The rate is measured over this much of the latest progress.
pub const WINDOW_MS: f64 = 10_000.0;
/// Below this much progress seen the rate is not said: it would be a guess.
const MIN_SPAN_MS: f64 = 1_000.0;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Throughput {
    /// (time in ms, count) of the latest progress, oldest first, all towards one total.
    seen: VecDeque<(f64, usize)>,
    total: usize,
}

impl Throughput {
    /// The count is `done` of `total` at `now_ms`. A count that goes down or a new total
    /// starts again (new work, not more of the same).
    pub fn observe(&mut self, now_ms: f64, done: usize, total: usize) {
        let restarted = self.seen.back().is_some_and(|&(_, last)| done < last);
        if restarted || total != self.total {
            self.seen.clear();
            self.total = total;
        }
        self.seen.push_back((now_ms, done));
        while self
            .seen
            .get(1)
            .is_some_and(|&(time, _)| now_ms - time >= WINDOW_MS)
        {
            self.seen.pop_front();
        }
    }

    /// Counts per second over the window, once it spans enough time and something moved.
    pub fn per_second(&self) -> Option<f64> {
        let (&(first_ms, first), &(last_ms, last)) = (self.seen.front()?, self.seen.back()?);
        let span = last_ms - first_ms;
        (span >= MIN_SPAN_MS && last > first).then(|| (last - first) as f64 * 1000.0 / span)
    }

    /// Seconds until the count reaches its total at the current rate.
    pub fn seconds_left(&self) -> Option<f64> {
        let &(_, done) = self.seen.back()?;
        let rate = self.per_second()?;
        Some(self.total.saturating_sub(done) as f64 / rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_count_gives_its_rate_and_the_time_left() {
        let mut throughput = Throughput::default();
        for second in 0..=4 {
            throughput.observe(second as f64 * 1000.0, second * 5, 100);
        }
        assert_eq!(throughput.per_second(), Some(5.0));
        assert_eq!(throughput.seconds_left(), Some(16.0));
    }

    #[test]
    fn nothing_is_said_before_a_second_of_progress() {
        let mut throughput = Throughput::default();
        assert_eq!(throughput.per_second(), None);
        throughput.observe(0.0, 0, 10);
        throughput.observe(500.0, 3, 10);
        assert_eq!(throughput.per_second(), None);
        assert_eq!(throughput.seconds_left(), None);
        // A second without progress says no rate either (not an infinite wait).
        let mut stalled = Throughput::default();
        stalled.observe(0.0, 3, 10);
        stalled.observe(2000.0, 3, 10);
        assert_eq!(stalled.per_second(), None);
    }

    #[test]
    fn the_rate_follows_the_latest_pace() {
        let mut throughput = Throughput::default();
        // 10 a second for 20 s, then 1 a second for 12 s.
        for second in 0..=20 {
            throughput.observe(second as f64 * 1000.0, second * 10, 1000);
        }
        for second in 1..=12 {
            throughput.observe((20 + second) as f64 * 1000.0, 200 + second, 1000);
        }
        let rate = throughput.per_second().unwrap();
        assert!((rate - 1.0).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn new_work_starts_again() {
        let mut throughput = Throughput::default();
        for second in 0..=3 {
            throughput.observe(second as f64 * 1000.0, second * 100, 300);
        }
        assert_eq!(throughput.per_second(), Some(100.0));
        // Another freeze depth: the count starts from none.
        throughput.observe(4000.0, 0, 300);
        assert_eq!(throughput.per_second(), None);
        throughput.observe(6000.0, 4, 300);
        assert_eq!(throughput.per_second(), Some(2.0));
        // More images: a new total.
        throughput.observe(7000.0, 6, 400);
        assert_eq!(throughput.per_second(), None);
    }
}
