//! Distances between places on the Earth, for "near a comune" and HSDS `proximity`.

/// Great-circle distance in metres (haversine; within a region the error is negligible).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_000.0;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    #[test]
    fn guastalla_to_rimini_is_about_190_km() {
        let d = super::distance_m(44.9218, 10.6563, 44.0594, 12.5683);
        assert!((170_000.0..200_000.0).contains(&d), "{d}");
        assert_eq!(super::distance_m(44.0, 11.0, 44.0, 11.0), 0.0);
    }
}
