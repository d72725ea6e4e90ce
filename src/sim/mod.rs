//! The simulated CPI tenant: a real HTTP server on loopback speaking the OData v2 API of
//! shared/cpi-api.md, with generated data, a live clock and fault injection.
