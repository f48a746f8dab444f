//! FraiseQL server.
