//! The in-memory message store: columnar, dictionary-coded, built for a busy tenant's day of
//! message processing logs (issue 7).
