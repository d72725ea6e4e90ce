//! Alert monitors: rules evaluated as pure functions of the polled data.
