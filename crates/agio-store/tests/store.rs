//! The storage tests, one module per file, in one binary: one link and one template database
//! for all of them.

mod reads;
mod storage;
mod writes;
