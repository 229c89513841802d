//! Bad input of every kind gets a clear 4xx with the JSON error, and writes nothing.
