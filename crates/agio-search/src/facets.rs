//! Facet counts from a fast field of small integers: each filter value a service has
//! (`need:casa`, `comune:035024`…) gets a number once, and counting the results of a search is
//! one array increment per value of each matching service. tantivy's own facet collector
//! resolves every counted value through the term dictionary, segment by segment: on 100,000
//! services that was most of a search's time.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The fast field holding each service's value numbers.
pub(crate) const FIELD: &str = "values";

/// The numbers given to filter values, in the order they were first seen; never reused.
#[derive(Default)]
pub(crate) struct ValueNumbers {
    inner: RwLock<Numbers>,
}

#[derive(Default)]
struct Numbers {
    values: Vec<(&'static str, String)>,
    by_value: HashMap<(&'static str, String), u64>,
}

impl ValueNumbers {
    /// The number of a dimension's value, given now if it has none.
    pub fn number(&self, dimension: &'static str, value: &str) -> u64 {
        let key = (dimension, value.to_string());
        if let Some(n) = self.inner.read().unwrap_or_else(|e| e.into_inner()).by_value.get(&key) {
            return *n;
        }
        let mut numbers = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let next = numbers.values.len() as u64;
        let n = *numbers.by_value.entry(key.clone()).or_insert(next);
        if n == next {
            numbers.values.push(key);
        }
        n
    }

    /// A collector counting the results per value number.
    pub fn counter(&self) -> Counter {
        Counter { slots: self.inner.read().unwrap_or_else(|e| e.into_inner()).values.len() }
    }

    /// Counts by dimension and value, the values without results left out.
    pub fn by_dimension(&self, counts: &[u64]) -> BTreeMap<&'static str, BTreeMap<String, u64>> {
        let numbers = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let mut out: BTreeMap<&'static str, BTreeMap<String, u64>> = BTreeMap::new();
        for (n, &count) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let (dimension, value) = &numbers.values[n];
            out.entry(dimension).or_default().insert(value.clone(), count);
        }
        out
    }
}

/// Counts the results per value number.
pub(crate) struct Counter {
    /// Value numbers given when the search began; a service indexed since may carry higher ones.
    slots: usize,
}

pub(crate) struct SegmentCounter {
    column: Option<Column<u64>>,
    counts: Vec<u64>,
}

impl Collector for Counter {
    type Fruit = Vec<u64>;
    type Child = SegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        Ok(SegmentCounter { column: segment.fast_fields().u64(FIELD).ok(), counts: vec![0; self.slots] })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut total = vec![0; self.slots];
        for fruit in fruits {
            total.iter_mut().zip(fruit).for_each(|(t, c)| *t += c);
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(column) = &self.column else { return };
        for n in column.values_for_doc(doc) {
            if let Some(count) = self.counts.get_mut(n as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}
