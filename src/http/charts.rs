//! Trend charts of the scorecard as inline SVG, drawn on the server: an actual line and an optional
//! target line over the last periods. Months without data are gaps (never drawn as 0), rates are
//! percentages on a 0–100 % axis, counts get whole-number ticks, an all-zero series sits on a
//! 0–1 axis (never a division by zero), and every coordinate is checked to be finite. Styling is by
//! class (the shared stylesheet), so the page's Content-Security-Policy needs no inline style.
//! Each chart has a title and a description for screen readers; the page shows the same numbers
//! in a table beside it.

use std::fmt::Write;

/// What a series measures, which decides the axis and how values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Whole numbers (registrations, visits).
    Count,
    /// Rates as fractions 0–1, drawn and written as percentages.
    Rate,
}

impl Unit {
    /// A value as people read it: `12`, `87 %` (French) or `87%`.
    pub fn format(self, value: f64, lang: &str) -> String {
        match self {
            Self::Count => format!("{value:.0}"),
            Self::Rate => {
                let pct = value * 100.0;
                let text = if (pct - pct.round()).abs() < 0.05 {
                    format!("{pct:.0}")
                } else {
                    format!("{pct:.1}")
                };
                if lang == "fr" {
                    format!("{}\u{202f}%", text.replace('.', ","))
                } else {
                    format!("{text}%")
                }
            }
        }
    }

    fn scale(self, value: f64) -> f64 {
        match self {
            Self::Count => value,
            Self::Rate => value * 100.0,
        }
    }
}

pub struct Chart<'a> {
    /// Unique within the page (for the title and description ids).
    pub id: &'a str,
    pub title: &'a str,
    /// One label per period, e.g. `Jan 26`.
    pub labels: &'a [String],
    pub actual: &'a [Option<f64>],
    /// `None` when no period has a target.
    pub target: Option<&'a [Option<f64>]>,
    pub unit: Unit,
    /// Text of the legend and of the description.
    pub actual_label: &'a str,
    pub target_label: &'a str,
    /// The chart's description for screen readers (what it shows, in words).
    pub description: &'a str,
}

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 36.0;

/// The axis: its top value and the step between ticks, both "nice" (1, 2 or 5 × 10ⁿ), whole
/// numbers for counts, 0–100 for rates (unless a value exceeds 100 %).
pub fn axis(max: f64, unit: Unit) -> (f64, f64) {
    let max = if max.is_finite() { max.max(0.0) } else { 0.0 };
    match unit {
        Unit::Rate if max <= 100.0 => (100.0, 25.0),
        _ => {
            if max <= 0.0 {
                return (1.0, 1.0);
            }
            let raw = max / 4.0;
            let magnitude = 10f64.powf(raw.log10().floor());
            let mut step = [1.0, 2.0, 5.0, 10.0]
                .iter()
                .map(|m| m * magnitude)
                .find(|s| *s >= raw)
                .unwrap_or(10.0 * magnitude);
            if unit == Unit::Count {
                step = step.max(1.0).round();
            }
            let top = (max / step).ceil() * step;
            (top.max(step), step)
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart as an SVG element.
pub fn render(chart: &Chart<'_>, lang: &str) -> String {
    let n = chart.labels.len().max(1);
    let scaled = |values: &[Option<f64>]| -> Vec<Option<f64>> {
        values
            .iter()
            .map(|v| v.filter(|v| v.is_finite()).map(|v| chart.unit.scale(v)))
            .collect()
    };
    let actual = scaled(chart.actual);
    let target = chart.target.map(scaled);
    let max = actual
        .iter()
        .chain(target.iter().flatten())
        .flatten()
        .fold(0.0f64, |m, v| m.max(*v));
    let (top, step) = axis(max, chart.unit);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h - plot_h * (v / top);
    let mut svg = String::new();
    let id = escape(chart.id);
    let _ = write!(
        svg,
        r#"<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(chart.title),
        escape(chart.description)
    );
    // Grid and value labels.
    let ticks = (top / step).round() as usize;
    for t in 0..=ticks {
        let value = step * t as f64;
        let ty = y(value);
        let label = match chart.unit {
            Unit::Count => format!("{value:.0}"),
            Unit::Rate => Unit::Rate.format(value / 100.0, lang),
        };
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{LEFT}" x2="{:.1}" y1="{ty:.1}" y2="{ty:.1}"/><text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            ty + 4.0,
            escape(&label)
        );
    }
    let _ = write!(
        svg,
        r#"<line class="chart-axis" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
        WIDTH - RIGHT,
        TOP + plot_h,
        TOP + plot_h
    );
    // Period labels: every one when they fit, else every second or third, counted back from the
    // latest period (always labelled); the ends anchored inside the drawing.
    let every = n.div_ceil(6).max(1);
    for (i, label) in chart.labels.iter().enumerate() {
        if (n - 1 - i) % every == 0 {
            let anchor = match i {
                0 if n > 1 => "start",
                i if i == n - 1 && n > 1 => "end",
                _ => "middle",
            };
            let _ = write!(
                svg,
                r#"<text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
                x(i),
                HEIGHT - BOTTOM + 18.0,
                escape(label)
            );
        }
    }
    let mut line = |values: &[Option<f64>], class: &str| {
        // A gap (a period without a value) ends one path segment.
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(svg, r#"<path class="{class}" d="{}"/>"#, d.trim_end());
        }
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    svg,
                    r#"<circle class="chart-dot{}" cx="{:.1}" cy="{:.1}" r="3.5"/>"#,
                    if class == "chart-target" {
                        " target"
                    } else {
                        ""
                    },
                    x(i),
                    y(*v)
                );
            }
        }
    };
    if let Some(target) = &target {
        line(target, "chart-target");
    }
    line(&actual, "chart-actual");
    // Legend (only when there is a target line to tell apart).
    if target.is_some() {
        let _ = write!(
            svg,
            r#"<g class="chart-legend" aria-hidden="true"><line class="chart-actual" x1="{LEFT}" x2="{:.1}" y1="12" y2="12"/><text class="chart-label" x="{:.1}" y="16">{}</text><line class="chart-target" x1="{:.1}" x2="{:.1}" y1="12" y2="12"/><text class="chart-label" x="{:.1}" y="16">{}</text></g>"#,
            LEFT + 18.0,
            LEFT + 24.0,
            escape(chart.actual_label),
            LEFT + 150.0,
            LEFT + 168.0,
            LEFT + 174.0,
            escape(chart.target_label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Whether every number in `svg`'s geometry (`x`, `y`, `x1`…`y2`, `cx`, `cy`, `r`, `d`,
/// `viewBox`) is finite: no `NaN`, no `inf`, nothing unparsable. What `check-templates` asserts of
/// every chart.
pub fn coordinates_finite(svg: &str) -> bool {
    const NAMES: [&str; 11] = [
        "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "d", "viewBox",
    ];
    let mut rest = svg;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else {
            return false;
        };
        let value = &after[..end];
        if NAMES.contains(&name) {
            let numbers = value
                .split(|c: char| {
                    c.is_whitespace() || c == ',' || c.is_ascii_alphabetic() && c != 'e'
                })
                .filter(|t| !t.is_empty());
            for token in numbers {
                if !token.parse::<f64>().is_ok_and(f64::is_finite) {
                    return false;
                }
            }
            if value.to_ascii_lowercase().contains("nan")
                || value.to_ascii_lowercase().contains("inf")
            {
                return false;
            }
        }
        rest = &after[end + 1..];
    }
    true
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_FR: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// A period `YYYY-MM` as a short label: `Jan 26`, `janv. 26`.
pub fn month_label(period: &str, lang: &str) -> String {
    let month: Option<usize> = period.get(5..7).and_then(|m| m.parse().ok());
    match (period.get(2..4), month) {
        (Some(year), Some(m @ 1..=12)) => {
            let names = if lang == "fr" { &MONTHS_FR } else { &MONTHS_EN };
            format!("{} {year}", names[m - 1])
        }
        _ => period.to_owned(),
    }
}

/// A period `YYYY-MM` in words: `January 2026`, `janvier 2026`.
pub fn month_name(period: &str, lang: &str) -> String {
    match chrono::NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d") {
        Ok(date) => {
            let full = crate::templating::format_date(date, lang);
            // `1 January 2026` / `1er janvier 2026` without the day.
            full.split_once(' ')
                .map_or(full.clone(), |(_, rest)| rest.to_owned())
        }
        Err(_) => period.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (1..=n)
            .map(|m| month_label(&format!("2026-{m:02}"), "en"))
            .collect()
    }

    fn chart<'a>(
        labels: &'a [String],
        actual: &'a [Option<f64>],
        target: Option<&'a [Option<f64>]>,
        unit: Unit,
    ) -> String {
        render(
            &Chart {
                id: "c",
                title: "T",
                labels,
                actual,
                target,
                unit,
                actual_label: "Actual",
                target_label: "Target",
                description: "D",
            },
            "en",
        )
    }

    #[test]
    fn an_all_zero_series_draws_on_the_baseline_with_finite_coordinates() {
        let labels = labels(12);
        let zeros = vec![Some(0.0); 12];
        let svg = chart(&labels, &zeros, None, Unit::Count);
        assert!(coordinates_finite(&svg), "{svg}");
        // Every dot on the baseline (y = TOP + plot height = 204).
        assert_eq!(svg.matches(r#"cy="204.0""#).count(), 12, "{svg}");
        assert!(svg.contains(">1</text>"), "a 0–1 axis: {svg}");
    }

    #[test]
    fn the_coordinate_check_catches_nan_and_infinity_but_not_words() {
        assert!(coordinates_finite(
            r#"<svg viewBox="0 0 4 4"><title>Information</title><path d="M1 2 L3 4"/></svg>"#
        ));
        assert!(!coordinates_finite(r#"<circle cx="NaN" cy="1"/>"#));
        assert!(!coordinates_finite(r#"<path d="M1 2 L3 inf"/>"#));
        assert!(!coordinates_finite(r#"<line y1="-inf"/>"#));
    }

    #[test]
    fn missing_months_are_gaps_not_zeros() {
        let labels = labels(4);
        let values = [Some(3.0), None, None, Some(5.0)];
        let svg = chart(&labels, &values, None, Unit::Count);
        assert_eq!(svg.matches("<circle").count(), 2);
        // Two segments, each starting with a move.
        let path = svg.split(r#"class="chart-actual" d=""#).nth(1).unwrap();
        let d = path.split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert!(!d.contains('L'), "{d}");
    }

    #[test]
    fn rates_are_percentages_on_a_0_to_100_axis() {
        let labels = labels(3);
        let svg = chart(
            &labels,
            &[Some(0.5), Some(1.0), Some(0.75)],
            None,
            Unit::Rate,
        );
        assert!(
            svg.contains(">100%</text>") && svg.contains(">50%</text>"),
            "{svg}"
        );
        assert!(!svg.contains(">125%<") && !svg.contains(">120%<"), "{svg}");
        assert_eq!(Unit::Rate.format(0.875, "fr"), "87,5\u{202f}%");
    }

    #[test]
    fn count_axes_have_whole_ticks() {
        for max in [1.0, 3.0, 5.4, 7.0, 13.0, 99.0, 1234.0] {
            let (top, step) = axis(max, Unit::Count);
            assert!(
                top >= max && step >= 1.0 && step.fract() == 0.0,
                "{max}: {top} {step}"
            );
            assert!(top / step <= 10.0, "{max}: {top} {step}");
        }
    }

    #[test]
    fn period_labels_do_not_collide_and_the_latest_is_shown() {
        let labels = labels(12);
        let svg = chart(&labels, &vec![Some(1.0); 12], None, Unit::Count);
        let shown: Vec<&str> = labels
            .iter()
            .map(String::as_str)
            .filter(|l| svg.contains(&format!(">{l}</text>")))
            .collect();
        // Every second month, ending with the latest: never two neighbours.
        assert_eq!(
            shown,
            ["Feb 26", "Apr 26", "Jun 26", "Aug 26", "Oct 26", "Dec 26"],
            "{svg}"
        );
        assert!(svg.contains(r#"text-anchor="end">Dec 26<"#), "{svg}");
    }

    #[test]
    fn the_legend_appears_only_with_a_target() {
        let labels = labels(2);
        let values = [Some(1.0), Some(2.0)];
        assert!(!chart(&labels, &values, None, Unit::Count).contains("chart-legend"));
        let target = [Some(2.0), None];
        let svg = chart(&labels, &values, Some(&target), Unit::Count);
        assert!(svg.contains("chart-legend") && svg.contains("chart-target"));
    }

    #[test]
    fn periods_read_as_months() {
        assert_eq!(month_label("2026-01", "en"), "Jan 26");
        assert_eq!(month_label("2026-02", "fr"), "févr. 26");
        assert_eq!(month_name("2026-03", "fr"), "mars 2026");
        assert_eq!(month_name("2026-03", "en"), "March 2026");
    }
}
