//! Pagination: validated page requests and the page of results they produce.

use serde::Serialize;
use utoipa::ToSchema;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;

/// A validated request for one page (1-based) of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("page must be a whole number from 1")]
    Page,
    #[error("per_page must be a whole number from 1 to {MAX_PER_PAGE}")]
    PerPage,
}

impl PageRequest {
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Result<Self, PageError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE as i64);
        if !(1..=1_000_000).contains(&page) {
            return Err(PageError::Page);
        }
        if !(1..=MAX_PER_PAGE as i64).contains(&per_page) {
            return Err(PageError::PerPage);
        }
        Ok(PageRequest { page: page as u32, per_page: per_page as u32 })
    }

    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.per_page as i64
    }

    pub fn limit(&self) -> i64 {
        self.per_page as i64
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

/// One page of a list, with what a client needs to ask for the others.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub total_pages: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: i64) -> Self {
        let total_pages = ((total.max(0) as u64).div_ceil(request.per_page as u64)) as u32;
        Page { items, page: request.page, per_page: request.per_page, total, total_pages }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range() {
        assert_eq!(PageRequest::new(Some(0), None), Err(PageError::Page));
        assert_eq!(PageRequest::new(Some(-3), None), Err(PageError::Page));
        assert_eq!(PageRequest::new(None, Some(101)), Err(PageError::PerPage));
        assert_eq!(PageRequest::new(Some(3), Some(10)).unwrap().offset(), 20);
    }

    #[test]
    fn counts_pages() {
        let p = Page::new(vec![1, 2], PageRequest::new(Some(2), Some(2)).unwrap(), 5);
        assert_eq!(p.total_pages, 3);
        assert_eq!((p.page, p.total), (2, 5));
        let empty: Page<i32> = Page::new(vec![], PageRequest::default(), 0);
        assert_eq!(empty.total_pages, 0);
    }
}
