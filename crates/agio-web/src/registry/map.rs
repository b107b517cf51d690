//! The regional map as server-drawn SVG: comuni outlines grouped by district, each district a link.
//! Drawn once at start; no script, no tiles, no third-party host.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use agio_store::MapShape;

const WIDTH: f64 = 800.0;
/// Simplification tolerance in SVG units (pixels at full width).
const TOLERANCE: f64 = 0.9;
/// Fills by district, colour-blind safe and distinct from the white borders.
const PALETTE: &[&str] = &["#0066cc", "#004d99", "#3d7ab8", "#17324d", "#5c6f82", "#00668f", "#2f5f8a", "#406080"];

type Point = (f64, f64);

struct Projection {
    min_lon: f64,
    max_lat: f64,
    scale: f64,
    x_factor: f64,
}

impl Projection {
    /// Equirectangular projection, corrected for the latitude of the region.
    fn fit(points: &[Point]) -> (Projection, f64) {
        let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (lon, lat) in points {
            min_lon = min_lon.min(*lon);
            max_lon = max_lon.max(*lon);
            min_lat = min_lat.min(*lat);
            max_lat = max_lat.max(*lat);
        }
        let x_factor = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let scale = WIDTH / ((max_lon - min_lon) * x_factor);
        let height = (max_lat - min_lat) * scale;
        (Projection { min_lon, max_lat, scale, x_factor }, height)
    }

    fn project(&self, (lon, lat): Point) -> Point {
        ((lon - self.min_lon) * self.x_factor * self.scale, (self.max_lat - lat) * self.scale)
    }
}

/// Douglas–Peucker simplification of a ring.
fn simplify(points: &[Point], tolerance: f64) -> Vec<Point> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let (first, last) = (points[0], points[points.len() - 1]);
    let (dx, dy) = (last.0 - first.0, last.1 - first.1);
    let length = (dx * dx + dy * dy).sqrt();
    let mut farthest = (0, 0.0);
    for (i, p) in points.iter().enumerate().skip(1).take(points.len() - 2) {
        let d = if length == 0.0 {
            ((p.0 - first.0).powi(2) + (p.1 - first.1).powi(2)).sqrt()
        } else {
            ((dy * p.0 - dx * p.1 + last.0 * first.1 - last.1 * first.0) / length).abs()
        };
        if d > farthest.1 {
            farthest = (i, d);
        }
    }
    if farthest.1 <= tolerance {
        return vec![first, last];
    }
    let mut left = simplify(&points[..=farthest.0], tolerance);
    let right = simplify(&points[farthest.0..], tolerance);
    left.pop();
    left.extend(right);
    left
}

/// Outer and inner rings of a Polygon or MultiPolygon geometry.
fn rings(geometry: &str) -> Vec<Vec<Point>> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(geometry) else { return vec![] };
    let polygons: Vec<&serde_json::Value> = match value["type"].as_str() {
        Some("Polygon") => vec![&value["coordinates"]],
        Some("MultiPolygon") => value["coordinates"].as_array().map(|a| a.iter().collect()).unwrap_or_default(),
        _ => vec![],
    };
    polygons
        .into_iter()
        .flat_map(|p| p.as_array().cloned().unwrap_or_default())
        .map(|ring| {
            ring.as_array()
                .map(|pts| pts.iter().filter_map(|pt| Some((pt[0].as_f64()?, pt[1].as_f64()?))).collect())
                .unwrap_or_default()
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A district's outline, projected and simplified.
pub struct DistrictShape {
    /// With the province where two districts share a name ("Sud-Est (FE)").
    pub name: String,
    pub slug: String,
    path: String,
}

/// The districts of the region drawn once, at start; each page colours and links them.
pub struct DistrictMap {
    height: f64,
    pub districts: Vec<DistrictShape>,
}

impl DistrictMap {
    pub fn draw(shapes: &[MapShape]) -> DistrictMap {
        let parsed: Vec<(&MapShape, Vec<Vec<Point>>)> = shapes.iter().map(|s| (s, rings(&s.geometry))).collect();
        let all: Vec<Point> = parsed.iter().flat_map(|(_, r)| r.iter().flatten().copied()).collect();
        if all.is_empty() {
            return DistrictMap { height: 0.0, districts: Vec::new() };
        }
        let (projection, height) = Projection::fit(&all);
        let mut districts: BTreeMap<(String, &str), String> = BTreeMap::new();
        for (shape, rings) in &parsed {
            let label = match &shape.district_province_code {
                Some(p) => format!("{} ({p})", shape.district_name),
                None => shape.district_name.clone(),
            };
            let d = districts.entry((label, shape.district_slug.as_str())).or_default();
            for ring in rings {
                let projected: Vec<Point> = ring.iter().map(|p| projection.project(*p)).collect();
                let simple = simplify(&projected, TOLERANCE);
                if simple.len() < 3 {
                    continue;
                }
                for (i, (x, y)) in simple.iter().enumerate() {
                    let _ = write!(d, "{}{:.0} {:.0}", if i == 0 { "M" } else { "L" }, x, y);
                }
                d.push('Z');
            }
        }
        let districts = districts
            .into_iter()
            .map(|((name, slug), path)| DistrictShape { name, slug: slug.to_string(), path })
            .collect();
        DistrictMap { height, districts }
    }

    /// The map as SVG: each district an `<a>` to `link(slug)`, filled with `fill(index, slug)`,
    /// titled with its name and `note(slug)` (a score, say) for pointer and screen reader.
    pub fn svg(
        &self,
        link: impl Fn(&str) -> String,
        fill: impl Fn(usize, &str) -> &'static str,
        note: impl Fn(&str) -> Option<String>,
    ) -> String {
        if self.districts.is_empty() {
            return String::new();
        }
        let mut svg = format!(
            r#"<svg class="agio-map-svg" viewBox="0 0 {WIDTH:.0} {:.0}" xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="agio-map-title"><title id="agio-map-title">Emilia-Romagna</title>"#,
            self.height
        );
        for (i, d) in self.districts.iter().enumerate() {
            let name = match note(&d.slug) {
                Some(note) => escape(&format!("{}: {note}", d.name)),
                None => escape(&d.name),
            };
            let _ = write!(
                svg,
                r##"<a href="{}" aria-label="{name}"><title>{name}</title><path d="{}" fill="{}" stroke="#ffffff" stroke-width="0.6"/></a>"##,
                escape(&link(&d.slug)),
                d.path,
                fill(i, &d.slug)
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

/// The home page's map: each district a link to its page, in the palette's colours.
pub fn render(map: &DistrictMap) -> String {
    map.svg(|slug| format!("/territori/{slug}"), |i, _| PALETTE[i % PALETTE.len()], |_| None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_keeps_corners() {
        let line = vec![(0.0, 0.0), (1.0, 0.1), (2.0, 0.0), (2.0, 5.0)];
        assert_eq!(simplify(&line, 0.5), vec![(0.0, 0.0), (2.0, 0.0), (2.0, 5.0)]);
    }

    #[test]
    fn one_link_per_district() {
        let square = r#"{"type":"Polygon","coordinates":[[[10,44],[10.1,44],[10.1,44.1],[10,44.1],[10,44]]]}"#;
        let other = r#"{"type":"MultiPolygon","coordinates":[[[[11,44],[11.1,44],[11.1,44.1],[11,44]]]]}"#;
        let shape = |slug: &str, name: &str, g: &str| MapShape {
            comune_name: "x".into(),
            district_slug: slug.into(),
            district_name: name.into(),
            district_province_code: None,
            geometry: g.into(),
        };
        let svg = render(&DistrictMap::draw(&[
            shape("a-one", "One & Co", square),
            shape("b-two", "Two", other),
            shape("a-one", "One & Co", other),
        ]));
        assert_eq!(svg.matches("<a ").count(), 2);
        assert!(svg.contains(r#"href="/territori/a-one" aria-label="One &amp; Co""#));
        assert!(!svg.contains("style="));
    }
}
